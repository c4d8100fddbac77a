import { EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Empty,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { ReasonModal } from '../../components/ReasonModal';
import { type RowPage, ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { ContactsTab } from './ContactsTab';
import { kycColours } from './kyc';

// A customer's 360° view: the masked profile and KYC, then what other modules hold about them —
// credit lines and exposure (credit), applications with their deciding evaluation (risk), loans
// (loans), cards and consents (customers), and who looked at the profile in clear (the audit log).
// Each tab shows only with the permission its API needs. The clear view needs customers:unmask and
// a reason; the API audits it, and the answer lives in this page's state only (never cached).

type Translate = (key: string, options?: Record<string, unknown>) => string;
type Unmasked = Schemas['CustomerUnmasked'];

export default function CustomerPage() {
  const { t } = useTranslation('customers');
  const { customerId = '' } = useParams();
  const can = useCan();
  const [unmasked, setUnmasked] = useState<Unmasked | undefined>();
  const [asking, setAsking] = useState(false);
  const customer = useQuery({
    queryKey: ['customer', customerId],
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customerId}', { params: { path: { customerId } } })),
  });

  return (
    <QueryState query={customer}>
      {(data) => (
        <Page
          title={
            <Space>
              <span data-testid="customer-name">{unmasked?.name ?? data.nameMasked}</span>
              <StatusTag value={data.kyc.level} ns="customers" colour={kycColours[data.kyc.level]} />
            </Space>
          }
          extra={
            can('customers:unmask') &&
            (unmasked === undefined ? (
              <Button icon={<EyeOutlined />} onClick={() => setAsking(true)} data-testid="unmask">
                {t('unmask.button')}
              </Button>
            ) : (
              <Button
                icon={<EyeInvisibleOutlined />}
                onClick={() => setUnmasked(undefined)}
                data-testid="mask"
              >
                {t('unmask.hide')}
              </Button>
            ))
          }
        >
          {unmasked !== undefined && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 16 }}
              title={t('unmask.shown')}
              data-testid="unmasked-notice"
            />
          )}
          <Card size="small" title={t('profile.title')} style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2, xl: 3 }}
              items={[
                {
                  key: 'name',
                  label: t('field.name'),
                  children: <span data-testid="field-name">{unmasked?.name ?? data.nameMasked}</span>,
                },
                {
                  key: 'idNumber',
                  label: t('field.idNumber'),
                  children: (
                    <span data-testid="field-id-number">{unmasked?.idNumber ?? data.idNumberMasked}</span>
                  ),
                },
                {
                  key: 'phone',
                  label: t('field.phone'),
                  children: <span data-testid="field-phone">{unmasked?.phone ?? data.phoneMasked}</span>,
                },
                {
                  key: 'kyc',
                  label: t('field.kycLevel'),
                  children: (
                    <StatusTag value={data.kyc.level} ns="customers" colour={kycColours[data.kyc.level]} />
                  ),
                },
                {
                  key: 'phoneVerifiedAt',
                  label: t('field.phoneVerifiedAt'),
                  children: <Instant value={data.kyc.phoneVerifiedAt} />,
                },
                {
                  key: 'realNameAt',
                  label: t('field.realNameAt'),
                  children: <Instant value={data.kyc.realNameAt} />,
                },
                {
                  key: 'cardBoundAt',
                  label: t('field.cardBoundAt'),
                  children: <Instant value={data.kyc.cardBoundAt} />,
                },
                {
                  key: 'createdAt',
                  label: t('field.createdAt'),
                  children: <Instant value={data.createdAt} />,
                },
                {
                  key: 'id',
                  label: t('field.id'),
                  children: <Typography.Text copyable>{data.id}</Typography.Text>,
                },
              ]}
            />
          </Card>
          <Card size="small">
            <Tabs
              items={[
                ...(can('credit:read')
                  ? [{ key: 'credit', label: t('tab.credit'), children: <CreditTab customerId={data.id} /> }]
                  : []),
                ...(can('risk:read')
                  ? [
                      {
                        key: 'applications',
                        label: t('tab.applications'),
                        children: <ApplicationsTab customerId={data.id} />,
                      },
                    ]
                  : []),
                ...(can('loans:read')
                  ? [{ key: 'loans', label: t('tab.loans'), children: <LoansTab customerId={data.id} /> }]
                  : []),
                {
                  key: 'cards',
                  label: t('tab.cards', { count: data.cards.length }),
                  children: <CardsTab t={t} cards={data.cards} unmasked={unmasked} />,
                },
                { key: 'consents', label: t('tab.consents'), children: <ConsentsTab customerId={data.id} /> },
                ...(can('collections:read')
                  ? [
                      {
                        key: 'contacts',
                        label: t('tab.contacts'),
                        children: <ContactsTab customerId={data.id} />,
                      },
                    ]
                  : []),
                ...(can('audit:read')
                  ? [{ key: 'access', label: t('tab.access'), children: <AccessTab customerId={data.id} /> }]
                  : []),
              ]}
            />
          </Card>
          <ReasonModal
            open={asking}
            testId="unmask"
            texts={{
              title: t('unmask.title'),
              text: t('unmask.text'),
              confirm: t('unmask.confirm'),
              reason: t('unmask.reason'),
              required: t('unmask.reasonRequired'),
              short: t('unmask.reasonShort'),
              long: t('unmask.reasonLong'),
            }}
            run={(reason) =>
              unwrap(
                api.GET('/api/v1/customers/{customerId}/unmasked', {
                  params: { path: { customerId: data.id }, query: { reason } },
                }),
              )
            }
            onClose={() => setAsking(false)}
            onDone={(view) => {
              setUnmasked(view);
              setAsking(false);
            }}
          />
        </Page>
      )}
    </QueryState>
  );
}

function CreditTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const credit = useQuery({
    queryKey: ['customer-credit', customerId],
    queryFn: () => unwrap(api.GET('/api/v1/credit-lines', { params: { query: { customerId } } })),
  });
  return (
    <QueryState query={credit}>
      {(data) => (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Space size="large" wrap>
            <Statistic title={t('credit.cap')} valueRender={() => <Money minor={data.capMinor} />} />
            <Statistic
              title={t('credit.exposure')}
              valueRender={() => <Money minor={data.exposureMinor} />}
            />
            <Statistic
              title={t('credit.headroom')}
              valueRender={() => (
                <span data-testid="credit-headroom">
                  <Money minor={data.headroomMinor} />
                </span>
              )}
            />
            <Statistic title={t('credit.linesHeld')} value={data.linesHeld} />
          </Space>
          <Table<Schemas['CreditLine']>
            size="small"
            rowKey="id"
            data-testid="credit-lines"
            dataSource={data.lines}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: <Empty description={t('credit.none')} /> }}
            columns={[
              { title: t('credit.grantedOn'), dataIndex: 'grantedOn' },
              {
                title: t('credit.status'),
                dataIndex: 'status',
                render: (status: string, row) => (
                  <Space size={4}>
                    <StatusTag value={status} ns="customers" />
                    {row.frozenReason && (
                      <Typography.Text type="secondary">{row.frozenReason}</Typography.Text>
                    )}
                  </Space>
                ),
              },
              {
                title: t('credit.limit'),
                dataIndex: 'limitMinor',
                align: 'right',
                render: (minor: string) => <Money minor={minor} />,
              },
              {
                title: t('credit.used'),
                dataIndex: 'usedMinor',
                align: 'right',
                render: (minor: string) => <Money minor={minor} />,
              },
              {
                title: t('credit.reserved'),
                dataIndex: 'reservedMinor',
                align: 'right',
                render: (minor: string) => <Money minor={minor} />,
              },
              {
                title: t('credit.available'),
                dataIndex: 'availableMinor',
                align: 'right',
                render: (minor: string) => <Money minor={minor} strong />,
              },
              {
                title: t('credit.revolving'),
                dataIndex: 'revolving',
                render: (revolving: boolean) => (revolving ? t('common:yes') : t('common:no')),
              },
              {
                title: t('credit.products'),
                dataIndex: 'productCodes',
                render: (codes: string[]) => codes.map((code) => <Tag key={code}>{code}</Tag>),
              },
              { title: t('credit.expiresOn'), dataIndex: 'expiresOn' },
            ]}
          />
        </Space>
      )}
    </QueryState>
  );
}

type Application = Schemas['CreditApplication'];

function ApplicationsTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RowPage<Application>> => {
    const page = await unwrap(
      api.GET('/api/v1/risk/applications', {
        params: { query: { customerId, limit, ...(cursor ? { before: cursor } : {}) } },
      }),
    );
    return { rows: page.applications, next: page.next };
  };
  return (
    <ServerTable<Application>
      testId="applications"
      queryKey={['customer-applications', customerId]}
      fetchPage={fetchPage}
      rowKey="id"
      pageSizes={[10, 20, 50]}
      columns={[
        { title: t('application.date'), dataIndex: 'businessDate' },
        {
          title: t('application.status'),
          dataIndex: 'status',
          render: (status: string) => <StatusTag value={status} ns="customers" />,
        },
        {
          title: t('application.outcome'),
          key: 'outcome',
          render: (_: unknown, row) => <StatusTag value={row.decision.outcome} ns="customers" />,
        },
        {
          title: t('application.score'),
          key: 'score',
          align: 'right',
          render: (_: unknown, row) => row.decision.score,
        },
        {
          title: t('application.grade'),
          key: 'grade',
          render: (_: unknown, row) => row.decision.grade ?? '—',
        },
        {
          title: t('application.limit'),
          dataIndex: 'limitMinor',
          align: 'right',
          render: (minor: string | null) => <Money minor={minor} />,
        },
        {
          title: t('application.reasons'),
          dataIndex: 'reasons',
          render: (reasons: string[]) =>
            reasons.length === 0 ? '—' : reasons.map((reason) => <Tag key={reason}>{reason}</Tag>),
        },
        {
          title: t('application.policy'),
          key: 'role',
          render: (_: unknown, row) => t(`application.role.${row.decision.role}`),
        },
        {
          title: t('application.trace'),
          key: 'trace',
          render: (_: unknown, row) => (
            <Link to={`/risk/decisions/${row.decision.id}`} data-testid="decision-link">
              {t('application.viewTrace')}
            </Link>
          ),
        },
      ]}
    />
  );
}

type Loan = Schemas['Loan'];

function LoansTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RowPage<Loan>> => {
    const page = await unwrap(
      api.GET('/api/v1/loans', {
        params: { query: { customerId, limit, ...(cursor ? { before: cursor } : {}) } },
      }),
    );
    return { rows: page.loans, next: page.next };
  };
  return (
    <ServerTable<Loan>
      testId="loans"
      queryKey={['customer-loans', customerId]}
      fetchPage={fetchPage}
      rowKey="id"
      pageSizes={[10, 20, 50]}
      columns={[
        {
          title: t('loan.loanNo'),
          dataIndex: 'loanNo',
          render: (loanNo: string, row) => (
            <Link to={`/loans/${row.id}`} data-testid="loan-link">
              {loanNo}
            </Link>
          ),
        },
        { title: t('loan.kind'), dataIndex: 'kind', render: (kind: string) => t(`loan.kinds.${kind}`) },
        { title: t('loan.product'), dataIndex: 'productCode' },
        {
          title: t('loan.state'),
          dataIndex: 'state',
          render: (state: string) => <StatusTag value={state} ns="customers" />,
        },
        {
          title: t('loan.principal'),
          dataIndex: 'principalMinor',
          align: 'right',
          render: (minor: string) => <Money minor={minor} />,
        },
        {
          title: t('loan.outstanding'),
          dataIndex: 'outstandingPrincipalMinor',
          align: 'right',
          render: (minor: string) => <Money minor={minor} strong />,
        },
        { title: t('loan.terms'), dataIndex: 'termCount', align: 'right' },
        { title: t('loan.disbursedOn'), dataIndex: 'disbursedOn', render: (d: string | null) => d ?? '—' },
        { title: t('loan.maturityDate'), dataIndex: 'maturityDate' },
      ]}
    />
  );
}

function CardsTab({
  t,
  cards,
  unmasked,
}: {
  t: Translate;
  cards: Schemas['BankCard'][];
  unmasked: Unmasked | undefined;
}) {
  const clear = new Map((unmasked?.cards ?? []).map((card) => [card.id, card.cardNumber]));
  return (
    <Table<Schemas['BankCard']>
      size="small"
      rowKey="id"
      data-testid="cards"
      dataSource={cards}
      pagination={false}
      locale={{ emptyText: <Empty description={t('card.none')} /> }}
      columns={[
        {
          title: t('card.number'),
          dataIndex: 'cardNumberMasked',
          render: (masked: string, row) => clear.get(row.id) ?? masked,
        },
        { title: t('card.bank'), dataIndex: 'bankName', render: (bank: string | null) => bank ?? '—' },
        {
          title: t('card.reservedPhone'),
          dataIndex: 'reservedPhoneMasked',
          render: (phone: string | null) => phone ?? t('card.signInPhone'),
        },
        {
          title: t('card.addedAt'),
          dataIndex: 'createdAt',
          render: (value: string) => <Instant value={value} />,
        },
      ]}
    />
  );
}

const agreementCodes = ['credit_bureau_query', 'privacy_policy', 'loan_contract', 'card_debit_authorization'];

function ConsentsTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const consents = useQuery({
    queryKey: ['customer-consents', customerId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/customers/{customerId}/consents', { params: { path: { customerId } } })),
  });
  return (
    <QueryState query={consents}>
      {(data) => (
        <Table<Schemas['Consent']>
          size="small"
          rowKey="id"
          data-testid="consents"
          dataSource={data}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description={t('consent.none')} /> }}
          columns={[
            {
              title: t('consent.agreement'),
              dataIndex: 'code',
              render: (code: string) => (agreementCodes.includes(code) ? t(`consent.codes.${code}`) : code),
            },
            { title: t('consent.version'), dataIndex: 'version', align: 'right' },
            {
              title: t('consent.acceptedAt'),
              dataIndex: 'acceptedAt',
              render: (value: string) => <Instant value={value} />,
            },
            { title: t('consent.acceptedOn'), dataIndex: 'acceptedOn' },
            {
              title: t('consent.expiresOn'),
              dataIndex: 'expiresOn',
              render: (value: string | null) => value ?? t('consent.noExpiry'),
            },
            { title: t('consent.device'), dataIndex: 'deviceId' },
            { title: t('consent.ip'), dataIndex: 'ip', render: (ip: string | null) => ip ?? '—' },
          ]}
        />
      )}
    </QueryState>
  );
}

type AuditEvent = Schemas['AuditEvent'];

function AccessTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  // The audit API pages newest first by the last seq seen; a short page is the last one.
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RowPage<AuditEvent>> => {
    const rows = await unwrap(
      api.GET('/api/v1/audit/events', {
        params: {
          query: {
            subjectType: 'customer',
            subjectId: customerId,
            order: 'desc',
            limit,
            ...(cursor ? { beforeSeq: cursor } : {}),
          },
        },
      }),
    );
    return { rows, next: rows.length === limit ? rows.at(-1)?.seq : null };
  };
  return (
    <ServerTable<AuditEvent>
      testId="access-log"
      queryKey={['customer-audit', customerId]}
      fetchPage={fetchPage}
      rowKey="seq"
      pageSizes={[10, 20, 50]}
      columns={[
        {
          title: t('access.at'),
          dataIndex: 'occurredAt',
          render: (value: string) => <Instant value={value} />,
        },
        { title: t('access.action'), dataIndex: 'action', render: (action: string) => <Tag>{action}</Tag> },
        {
          title: t('access.actor'),
          key: 'actor',
          render: (_: unknown, row) => `${row.actor.kind}:${row.actor.id}`,
        },
        {
          title: t('access.reason'),
          key: 'reason',
          render: (_: unknown, row) => {
            const details = row.details as { reason?: unknown } | null;
            return typeof details?.reason === 'string' ? details.reason : '—';
          },
        },
        { title: t('access.ip'), dataIndex: 'ip', render: (ip: string | null) => ip ?? '—' },
      ]}
    />
  );
}
