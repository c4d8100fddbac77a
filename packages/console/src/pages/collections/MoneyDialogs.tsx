import { useQuery } from '@tanstack/react-query';
import { App, DatePicker, Descriptions, Form, Input, Modal } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { ApiProblem, api, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useCommand } from '../../components/useCommand';
import { formatMoney, parseMoney } from '../../format';
import { commandKey } from './shared';

// A promise to pay (a date from the business date to 30 days on, an amount) and a waiver request
// (penalty, fee, interest past due, a reason). Amounts are typed in yuan and sent in fen, as the
// routes take them; the fields carry the API's names so its field errors land on them.

export type Waivable = { penaltyMinor: string; feeMinor: string; interestMinor: string };

function useBusinessDate(): string | undefined {
  const date = useQuery({
    queryKey: ['business-date'],
    queryFn: () => unwrap(api.GET('/api/v1/business-date')),
    staleTime: 30_000,
  });
  return date.data?.businessDate;
}

function onlyFieldless(error: unknown): boolean {
  return error !== null && !(error instanceof ApiProblem && error.errors.length > 0);
}

type PromiseForm = { promisedDate: Dayjs; amountMinor: string };

export function PromiseDialog({ caseId, onClose }: { caseId: string; onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<PromiseForm>();
  const today = useBusinessDate();
  const command = useCommand(
    (body: { promisedDate: string; amountMinor: string }) =>
      unwrap(
        api.POST('/api/v1/collections/cases/{caseId}/promises', {
          params: { header: commandKey(), path: { caseId } },
          body,
        }),
      ),
    {
      form,
      invalidates: [['collections-case', caseId], ['collections-cases']],
      success: t('promises.recorded'),
      onSuccess: onClose,
    },
  );
  const first = today ? dayjs(today) : undefined;
  const last = first?.add(30, 'day');
  return (
    <Modal
      open
      title={t('promises.make')}
      onCancel={onClose}
      okText={t('common:action.submit')}
      okButtonProps={{ 'data-testid': 'promise-submit' } as never}
      confirmLoading={command.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(values) =>
          command.mutate({
            promisedDate: values.promisedDate.format('YYYY-MM-DD'),
            amountMinor: parseMoney(values.amountMinor) ?? '0',
          })
        }
      >
        {onlyFieldless(command.error) && <ProblemAlert error={command.error} />}
        <Form.Item
          name="promisedDate"
          label={t('promises.date')}
          rules={[
            { required: true, message: t('promises.dateRule') },
            {
              validator: (_, value: Dayjs | undefined) =>
                value === undefined ||
                first === undefined ||
                last === undefined ||
                (!value.isBefore(first, 'day') && !value.isAfter(last, 'day'))
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('promises.dateRule'))),
            },
          ]}
        >
          <DatePicker
            style={{ width: '100%' }}
            data-testid="promise-date"
            disabledDate={(d) =>
              first !== undefined &&
              last !== undefined &&
              (d.isBefore(first, 'day') || d.isAfter(last, 'day'))
            }
          />
        </Form.Item>
        <Form.Item
          name="amountMinor"
          label={t('promises.amount')}
          rules={[
            {
              required: true,
              validator: (_, value: string | undefined) => {
                const minor = value === undefined ? undefined : parseMoney(value);
                return minor !== undefined && BigInt(minor) > 0n
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('promises.amountRule')));
              },
            },
          ]}
        >
          <Input inputMode="decimal" placeholder="0.00" data-testid="promise-amount" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

type WaiverForm = { penaltyMinor: string; feeMinor: string; interestMinor: string; reason: string };

export function WaiverDialog({
  caseId,
  waivable,
  onClose,
}: {
  caseId: string;
  waivable: Waivable | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<WaiverForm>();
  const { message } = App.useApp();
  const command = useCommand(
    (body: WaiverForm) =>
      unwrap(
        api.POST('/api/v1/collections/cases/{caseId}/waivers', {
          params: { header: commandKey(), path: { caseId } },
          body,
        }),
      ),
    {
      form,
      invalidates: [['collections-case', caseId]],
      success: false,
      onSuccess: (made) => {
        const tier = t(`tier.${made.waiver.tier}`, { defaultValue: made.waiver.tier });
        void message.success(t('waivers.recorded', { tier }));
        onClose();
      },
    },
  );
  const amountRule = {
    validator: (_: unknown, value: string | undefined) =>
      value === undefined || value.trim() === '' || parseMoney(value) !== undefined
        ? Promise.resolve()
        : Promise.reject(new Error(t('waivers.amountRule'))),
  };
  const fen = (value: string | undefined) =>
    value === undefined || value.trim() === '' ? '0' : (parseMoney(value) ?? '0');
  return (
    <Modal
      open
      title={t('waivers.request')}
      onCancel={onClose}
      okText={t('common:action.submit')}
      okButtonProps={{ 'data-testid': 'waiver-submit' } as never}
      confirmLoading={command.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
    >
      {waivable && (
        <Descriptions size="small" column={3} title={t('waivers.waivable')} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('waivers.penaltyShort')}>
            <Money minor={waivable.penaltyMinor} />
          </Descriptions.Item>
          <Descriptions.Item label={t('waivers.feeShort')}>
            <Money minor={waivable.feeMinor} />
          </Descriptions.Item>
          <Descriptions.Item label={t('waivers.interestShort')}>
            <Money minor={waivable.interestMinor} />
          </Descriptions.Item>
        </Descriptions>
      )}
      <Form
        form={form}
        layout="vertical"
        onFinish={(values) => {
          const body = {
            penaltyMinor: fen(values.penaltyMinor),
            feeMinor: fen(values.feeMinor),
            interestMinor: fen(values.interestMinor),
            reason: values.reason.trim(),
          };
          if (BigInt(body.penaltyMinor) + BigInt(body.feeMinor) + BigInt(body.interestMinor) === 0n) {
            form.setFields([{ name: 'penaltyMinor', errors: [t('waivers.nothing')] }]);
            return;
          }
          command.mutate(body);
        }}
      >
        {onlyFieldless(command.error) && <ProblemAlert error={command.error} />}
        <Form.Item name="penaltyMinor" label={t('waivers.penalty')} rules={[amountRule]}>
          <Input
            inputMode="decimal"
            placeholder={waivable ? formatMoney(waivable.penaltyMinor) : '0.00'}
            data-testid="waiver-penalty"
          />
        </Form.Item>
        <Form.Item name="feeMinor" label={t('waivers.fee')} rules={[amountRule]}>
          <Input inputMode="decimal" placeholder="0.00" data-testid="waiver-fee" />
        </Form.Item>
        <Form.Item name="interestMinor" label={t('waivers.interest')} rules={[amountRule]}>
          <Input inputMode="decimal" placeholder="0.00" data-testid="waiver-interest" />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('waivers.reason')}
          rules={[{ required: true, whitespace: true, message: t('waivers.reasonRule') }, { max: 500 }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="waiver-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
