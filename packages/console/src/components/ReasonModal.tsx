import { Form, Input, Modal, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';
import { ProblemAlert } from './ProblemAlert';

export type ReasonTexts = {
  title: string;
  text: string;
  confirm: string;
  reason: string;
  required: string;
  /** Fewer than 4 characters (the API's minimum for an audited reason). */
  short: string;
  /** More than 200 characters. */
  long: string;
};

/**
 * Asks for the reason an audited action needs (unmasking PII, a status change) and runs it: the
 * reason's own refusal lands on the field, any other problem above the form; the dialog closes only
 * when the action succeeded.
 */
export function ReasonModal<T>({
  open,
  texts,
  run,
  onDone,
  onClose,
  testId,
}: {
  open: boolean;
  texts: ReasonTexts;
  run: (reason: string) => Promise<T>;
  onDone: (result: T) => void;
  onClose: () => void;
  /** `<testId>-reason` names the field, `<testId>-confirm` the button. */
  testId: string;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const result = await run(reason.trim());
      form.resetFields();
      onDone(result);
    } catch (error) {
      if (error instanceof ApiProblem && error.errors.some((field) => field.path === 'reason'))
        form.setFields([
          { name: 'reason', errors: error.errors.filter((f) => f.path === 'reason').map((f) => f.message) },
        ]);
      else setProblem(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={texts.title}
      okText={texts.confirm}
      cancelText={t('common:action.cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => {
        setProblem(undefined);
        onClose();
      }}
      destroyOnHidden
      okButtonProps={{ 'data-testid': `${testId}-confirm` } as Record<string, string>}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary">{texts.text}</Typography.Paragraph>
        {problem !== undefined && <ProblemAlert error={problem} />}
        <Form form={form} layout="vertical" onFinish={submit} preserve={false}>
          <Form.Item
            name="reason"
            label={texts.reason}
            rules={[
              { required: true, whitespace: true, message: texts.required },
              {
                validator: async (_, value: string | undefined) => {
                  const length = (value ?? '').trim().length;
                  if (length > 0 && length < 4) throw new Error(texts.short);
                  if (length > 200) throw new Error(texts.long);
                },
              },
            ]}
          >
            <Input.TextArea rows={3} maxLength={200} showCount data-testid={`${testId}-reason`} />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}
