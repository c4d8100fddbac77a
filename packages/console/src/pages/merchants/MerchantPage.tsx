import { EditOutlined, EyeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan, useStaff } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { ReasonModal } from '../../components/ReasonModal';
import { type RowPage, ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { MerchantForm } from './MerchantForm';
import {
  commandKey,
  discountPercent,
  formProblem,
  type MerchantDetail,
  type MerchantStatus,
  scenarioName,
  statusColours,
} from './shared';

// One merchant: its profile (the settlement account masked), its status with the changes staff
// may make from it (activate an onboarding merchant, suspend an active one, reinstate a suspended
// one — each with a reason, kept in the history and the audit log), the settlement account in
// clear for merchants:unmask (with a reason, audited), the status history and the merchant's loans.

type Change = 'activate' | 'suspend' | 'reinstate';
const changeFrom: Record<MerchantStatus, Change | undefined> = {
  onboarding: 'activate',
  active: 'suspend',
  suspended: 'reinstate',
};

export default function MerchantPage() {
  const { t, i18n } = useTranslation('merchants');
  const { merchantId = '' } = useParams();
  const can = useCan();
  const [changing, setChanging] = useState<Change | undefined>();
  const [editing, setEditing] = useState(false);
  const merchant = useQuery({
    queryKey: ['merchant', merchantId],
    queryFn: () => unwrap(api.GET('/api/v1/merchants/{merchantId}', { params: { path: { merchantId } } })),
  });

  return (
    <QueryState query={merchant}>
      {(data) => {
        const change = changeFrom[data.status];
        return (
          <Page
            title={
              <Space>
                <span data-testid="merchant-name">{data.name}</span>
                <span data-testid="merchant-status">
                  <StatusTag value={data.status} ns="merchants" colour={statusColours[data.status]} />
                </span>
              </Space>
            }
            extra={
              can('merchants:manage') && (
                <Space>
                  <Button
                    icon={<EditOutlined />}
                    onClick={() => setEditing(true)}
                    data-testid="edit-merchant"
                  >
                    {t('common:action.edit')}
                  </Button>
                  {change && (
                    <Button
                      type={change === 'suspend' ? 'default' : 'primary'}
                      danger={change === 'suspend'}
                      onClick={() => setChanging(change)}
                      data-testid={`merchant-${change}`}
                    >
                      {t(`change.${change}.button`)}
                    </Button>
                  )}
                </Space>
              )
            }
          >
            {data.status === 'onboarding' && (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 16 }}
                title={t('onboarding.title')}
                description={t('onboarding.text')}
              />
            )}
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={16}>
                <Card size="small" title={t('profile.title')} style={{ height: '100%' }}>
                  <Descriptions
                    size="small"
                    column={{ xs: 1, md: 2 }}
                    items={[
                      { key: 'name', label: t('field.name'), children: data.name },
                      { key: 'legalName', label: t('field.legalName'), children: data.legalName },
                      {
                        key: 'code',
                        label: t('field.socialCreditCode'),
                        children: <Typography.Text copyable>{data.socialCreditCode}</Typography.Text>,
                      },
                      {
                        key: 'scenario',
                        label: t('field.scenario'),
                        children: (
                          <span data-testid="merchant-scenario">{scenarioName(data, i18n.language)}</span>
                        ),
                      },
                      {
                        key: 'discountRate',
                        label: t('field.discountRate'),
                        children: (
                          <span data-testid="merchant-discount">{discountPercent(data.discountRate)}</span>
                        ),
                      },
                      {
                        key: 'products',
                        label: t('field.products'),
                        children:
                          data.productCodes.length === 0
                            ? t('field.noProducts')
                            : data.productCodes.map((code) => <Tag key={code}>{code}</Tag>),
                      },
                      {
                        key: 'status',
                        label: t('field.status'),
                        children: (
                          <StatusTag value={data.status} ns="merchants" colour={statusColours[data.status]} />
                        ),
                      },
                      {
                        key: 'statusReason',
                        label: t('field.statusReason'),
                        children: data.statusReason ?? '—',
                      },
                      {
                        key: 'statusChangedAt',
                        label: t('field.statusChangedAt'),
                        children: <Instant value={data.statusChangedAt} />,
                      },
                      {
                        key: 'createdAt',
                        label: t('field.createdAt'),
                        children: <Instant value={data.createdAt} />,
                      },
                      {
                        key: 'updatedAt',
                        label: t('field.updatedAt'),
                        children: <Instant value={data.updatedAt} />,
                      },
                      {
                        key: 'id',
                        label: t('field.id'),
                        children: <Typography.Text copyable>{data.id}</Typography.Text>,
                      },
                    ]}
                  />
                </Card>
              </Col>
              <Col xs={24} xl={8}>
                <SettlementAccount merchant={data} />
              </Col>
            </Row>
            <Card size="small" title={t('history.title')} style={{ marginTop: 16 }}>
              <Table<Schemas['MerchantStatusChange']>
                size="small"
                data-testid="status-history"
                rowKey={(row) => `${row.at}:${row.toStatus}`}
                dataSource={data.statusHistory}
                pagination={false}
                locale={{ emptyText: <Empty description={t('history.none')} /> }}
                columns={[
                  {
                    title: t('history.at'),
                    dataIndex: 'at',
                    render: (value: string) => <Instant value={value} />,
                  },
                  { title: t('history.businessDate'), dataIndex: 'businessDate' },
                  {
                    title: t('history.change'),
                    key: 'change',
                    render: (_: unknown, row) => (
                      <Space size={4}>
                        <StatusTag
                          value={row.fromStatus}
                          ns="merchants"
                          colour={statusColours[row.fromStatus]}
                        />
                        →
                        <StatusTag value={row.toStatus} ns="merchants" colour={statusColours[row.toStatus]} />
                      </Space>
                    ),
                  },
                  { title: t('history.reason'), dataIndex: 'reason' },
                  {
                    title: t('history.actor'),
                    key: 'actor',
                    render: (_: unknown, row) => `${row.actor.kind}:${row.actor.id}`,
                  },
                ]}
              />
            </Card>
            {can('loans:read') && <MerchantLoans merchantId={data.id} />}
            <StatusChange merchant={data} change={changing} onClose={() => setChanging(undefined)} />
            <MerchantForm
              open={editing}
              merchant={data}
              onClose={() => setEditing(false)}
              onSaved={() => setEditing(false)}
            />
          </Page>
        );
      }}
    </QueryState>
  );
}

function StatusChange({
  merchant,
  change,
  onClose,
}: {
  merchant: MerchantDetail;
  change: Change | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation('merchants');
  const [form] = Form.useForm<{ reason: string }>();
  const run = useCommand(
    async ({ verb, reason }: { verb: Change; reason: string }) => {
      const params = { path: { merchantId: merchant.id }, header: commandKey() };
      const body = { reason: reason.trim() };
      if (verb === 'activate')
        return unwrap(api.POST('/api/v1/merchants/{merchantId}/activate', { params, body }));
      if (verb === 'suspend')
        return unwrap(api.POST('/api/v1/merchants/{merchantId}/suspend', { params, body }));
      return unwrap(api.POST('/api/v1/merchants/{merchantId}/reinstate', { params, body }));
    },
    {
      form,
      invalidates: [['merchant', merchant.id], ['merchants']],
      success: change ? t(`change.${change}.done`) : undefined,
      onSuccess: () => {
        form.resetFields();
        onClose();
      },
    },
  );
  return (
    <Modal
      open={change !== undefined}
      title={change ? t(`change.${change}.title`, { name: merchant.name }) : ''}
      okText={change ? t(`change.${change}.button`) : ''}
      okButtonProps={{ danger: change === 'suspend' }}
      cancelText={t('common:action.cancel')}
      confirmLoading={run.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        run.reset();
        onClose();
      }}
      forceRender
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        {change && <Typography.Paragraph type="secondary">{t(`change.${change}.text`)}</Typography.Paragraph>}
        {run.isError && formProblem(run.error) !== undefined && <ProblemAlert error={run.error} />}
        <Form
          form={form}
          layout="vertical"
          onFinish={({ reason }) => change && run.mutate({ verb: change, reason })}
        >
          <Form.Item
            name="reason"
            label={t('change.reason')}
            rules={[{ required: true, whitespace: true, message: t('change.reasonRequired') }, { max: 500 }]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount data-testid="status-reason" />
          </Form.Item>
        </Form>
      </Space>
    </Modal>
  );
}

function SettlementAccount({ merchant }: { merchant: MerchantDetail }) {
  const { t } = useTranslation('merchants');
  const can = useCan();
  const staff = useStaff();
  const [asking, setAsking] = useState(false);
  const [clear, setClear] = useState<Schemas['MerchantSettlementAccount'] | undefined>();
  const shown = clear !== undefined && clear.merchantId === merchant.id;

  return (
    <Card
      size="small"
      title={t('account.title')}
      style={{ height: '100%' }}
      data-testid="settlement-account"
      extra={
        merchant.settlementAccountMasked !== null &&
        can('merchants:unmask') &&
        (shown ? (
          <Button size="small" onClick={() => setClear(undefined)}>
            {t('account.hide')}
          </Button>
        ) : (
          <Button
            size="small"
            icon={<EyeOutlined />}
            onClick={() => setAsking(true)}
            data-testid="unmask-account"
          >
            {t('account.unmask')}
          </Button>
        ))
      }
    >
      {merchant.settlementAccountMasked === null ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('account.none')} />
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {shown && (
            <Alert type="warning" showIcon title={t('account.shown', { user: staff.user.displayName })} />
          )}
          <Descriptions
            size="small"
            column={1}
            items={[
              ...(shown ? [{ key: 'holder', label: t('account.name'), children: clear.accountName }] : []),
              {
                key: 'number',
                label: t('account.number'),
                children: (
                  <Typography.Text data-testid="account-number" copyable={shown}>
                    {shown ? clear.accountNo : merchant.settlementAccountMasked}
                  </Typography.Text>
                ),
              },
              {
                key: 'bank',
                label: t('account.bank'),
                children: shown ? clear.bankName : (merchant.settlementBankName ?? '—'),
              },
            ]}
          />
        </Space>
      )}
      <ReasonModal
        open={asking}
        testId="unmask-account"
        texts={{
          title: t('account.unmaskTitle'),
          text: t('account.unmaskText'),
          confirm: t('account.unmaskConfirm'),
          reason: t('change.reason'),
          required: t('change.reasonRequired'),
          short: t('account.reasonShort'),
          long: t('account.reasonLong'),
        }}
        run={(reason) =>
          unwrap(
            api.GET('/api/v1/merchants/{merchantId}/settlement-account', {
              params: { path: { merchantId: merchant.id }, query: { reason } },
            }),
          )
        }
        onClose={() => setAsking(false)}
        onDone={(account) => {
          setClear(account);
          setAsking(false);
        }}
      />
    </Card>
  );
}

type Loan = Schemas['Loan'];

function MerchantLoans({ merchantId }: { merchantId: string }) {
  const { t } = useTranslation('merchants');
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RowPage<Loan>> => {
    const page = await unwrap(
      api.GET('/api/v1/loans', {
        params: { query: { merchantId, limit, ...(cursor ? { before: cursor } : {}) } },
      }),
    );
    return { rows: page.loans, next: page.next };
  };
  return (
    <Card size="small" title={t('loans.title')} style={{ marginTop: 16 }}>
      <ServerTable<Loan>
        testId="merchant-loans"
        queryKey={['merchant-loans', merchantId]}
        fetchPage={fetchPage}
        rowKey="id"
        pageSizes={[10, 20, 50]}
        columns={[
          {
            title: t('loans.loanNo'),
            dataIndex: 'loanNo',
            render: (loanNo: string, row) => <Link to={`/loans/${row.id}`}>{loanNo}</Link>,
          },
          { title: t('loans.product'), dataIndex: 'productCode' },
          {
            title: t('loans.state'),
            dataIndex: 'state',
            render: (state: string) => <StatusTag value={state} ns="merchants" />,
          },
          {
            title: t('loans.principal'),
            dataIndex: 'principalMinor',
            align: 'right',
            render: (minor: string) => <Money minor={minor} />,
          },
          {
            title: t('loans.discount'),
            dataIndex: 'merchantDiscountMinor',
            align: 'right',
            render: (minor: string) => <Money minor={minor} />,
          },
          {
            title: t('loans.payout'),
            dataIndex: 'payoutMinor',
            align: 'right',
            render: (minor: string) => <Money minor={minor} strong />,
          },
          { title: t('loans.terms'), dataIndex: 'termCount', align: 'right' },
          { title: t('loans.disbursedOn'), dataIndex: 'disbursedOn', render: (d: string | null) => d ?? '—' },
        ]}
      />
    </Card>
  );
}
