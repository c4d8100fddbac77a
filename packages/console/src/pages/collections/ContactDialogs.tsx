import { useQueryClient } from '@tanstack/react-query';
import { Form, Input, Modal, Radio, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useCommand } from '../../components/useCommand';
import { commandKey } from './shared';

// Logging a contact attempt (the server checks the conduct rules first and logs a refusal too) and
// adding a number to contact.

type Detail = Schemas['CollectionsCaseDetail'];
type AttemptBody = {
  targetId: string;
  channel: 'sms' | 'voice' | 'ai_voice' | 'visit';
  outcome: 'connected' | 'unanswered' | 'invalid_number' | 'sent';
  note?: string;
  recordingRef?: string;
};

/** A refusal as the server names it: the first broken rule, every broken one, the logged attempt. */
export type Refusal = { rule: string; rules: string[]; attemptId: string | undefined };

export function refusalOf(error: unknown): Refusal | undefined {
  if (!(error instanceof ApiProblem) || error.code !== 'contact_refused') return undefined;
  const rule = typeof error.body.rule === 'string' ? error.body.rule : 'unknown';
  const rules = Array.isArray(error.body.rules) ? error.body.rules.map(String) : [rule];
  const attemptId = typeof error.body.attemptId === 'string' ? error.body.attemptId : undefined;
  return { rule, rules, attemptId };
}

const channels = ['voice', 'sms', 'ai_voice', 'visit'] as const;
const outcomesOf = (channel: string | undefined): AttemptBody['outcome'][] =>
  channel === 'sms' ? ['sent', 'invalid_number'] : ['connected', 'unanswered', 'invalid_number'];

export function ContactDialog({
  detail,
  onClose,
  onRecorded,
  onRefused,
}: {
  detail: Detail;
  onClose: () => void;
  onRecorded: () => void;
  onRefused: (refusal: Refusal) => void;
}) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<AttemptBody>();
  const queries = useQueryClient();
  const caseId = detail.case.id;
  const key = ['collections-case', caseId];
  const channel = Form.useWatch('channel', form);
  const command = useCommand(
    (body: AttemptBody) =>
      unwrap(
        api.POST('/api/v1/collections/cases/{caseId}/contacts', {
          params: { header: commandKey(), path: { caseId } },
          body,
        }),
      ),
    {
      form,
      invalidates: [key, ['collections-cases']],
      success: t('contacts.recorded'),
      onSuccess: onRecorded,
    },
  );
  const refusal = refusalOf(command.error);
  const usable = detail.targets.filter((target) => !target.doNotContact);
  const first = usable.find((target) => target.role === 'debtor' && target.status === 'valid') ?? usable[0];
  return (
    <Modal
      open
      title={t('contacts.log')}
      onCancel={onClose}
      okText={t('common:action.submit')}
      okButtonProps={{ 'data-testid': 'contact-submit' } as never}
      confirmLoading={command.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ targetId: first?.id, channel: 'voice', outcome: 'connected' }}
        onValuesChange={(changed: Partial<AttemptBody>) => {
          if (
            changed.channel !== undefined &&
            !outcomesOf(changed.channel).includes(form.getFieldValue('outcome'))
          )
            form.setFieldValue('outcome', outcomesOf(changed.channel)[0]);
        }}
        onFinish={(values) =>
          command.mutate(
            {
              targetId: values.targetId,
              channel: values.channel,
              outcome: values.outcome,
              ...(values.note?.trim() ? { note: values.note.trim() } : {}),
              ...(values.recordingRef?.trim() ? { recordingRef: values.recordingRef.trim() } : {}),
            },
            {
              onError: (error) => {
                const refused = refusalOf(error);
                if (refused === undefined) return;
                // The refusal is in the contact log: show it there, and the rule.
                void queries.invalidateQueries({ queryKey: key });
                onRefused(refused);
              },
            },
          )
        }
      >
        {command.error !== null && refusal === undefined && <ProblemAlert error={command.error} />}
        <Form.Item
          name="targetId"
          label={t('contacts.target')}
          rules={[{ required: true, message: t('contacts.chooseTarget') }]}
        >
          <Select
            data-testid="contact-target"
            options={detail.targets.map((target) => ({
              value: target.id,
              disabled: target.doNotContact,
              label: `${t(`role.${target.role}`)} · ${target.relation} · ${target.phoneMasked}${
                target.status === 'invalid' ? ` (${t('status.invalid')})` : ''
              }${target.doNotContact ? ` (${t('targets.doNotContact')})` : ''}`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="channel"
          label={t('contacts.channel')}
          rules={[{ required: true, message: t('contacts.chooseChannel') }]}
        >
          <Radio.Group
            optionType="button"
            options={channels.map((c) => ({ value: c, label: t(`channel.${c}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="outcome"
          label={t('contacts.outcome')}
          rules={[{ required: true, message: t('contacts.chooseOutcome') }]}
        >
          <Radio.Group
            optionType="button"
            options={outcomesOf(channel).map((o) => ({ value: o, label: t(`status.${o}`) }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t('contacts.note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="contact-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type TargetBody = { role: 'debtor' | 'contact_person'; relation: string; phone: string };

export function TargetDialog({ caseId, onClose }: { caseId: string; onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<TargetBody>();
  const command = useCommand(
    (body: TargetBody) =>
      unwrap(
        api.POST('/api/v1/collections/cases/{caseId}/targets', {
          params: { header: commandKey(), path: { caseId } },
          body,
        }),
      ),
    { form, invalidates: [['collections-case', caseId]], onSuccess: onClose },
  );
  return (
    <Modal
      open
      title={t('targets.add')}
      onCancel={onClose}
      okText={t('common:action.submit')}
      confirmLoading={command.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ role: 'debtor', relation: 'self' }}
        onFinish={(values) =>
          command.mutate({ ...values, relation: values.relation.trim(), phone: values.phone.trim() })
        }
      >
        {command.error !== null &&
          command.error instanceof ApiProblem &&
          command.error.errors.length === 0 && <ProblemAlert error={command.error} />}
        <Form.Item name="role" label={t('targets.role')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={(['debtor', 'contact_person'] as const).map((r) => ({
              value: r,
              label: t(`role.${r}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="relation" label={t('targets.relation')} rules={[{ required: true, max: 40 }]}>
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item
          name="phone"
          label={t('targets.phone')}
          rules={[{ required: true, pattern: /^\+?\d{6,20}$/, message: t('targets.phoneRule') }]}
        >
          <Input inputMode="tel" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
