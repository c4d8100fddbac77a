import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Flex, Row, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan, useStaff } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { ContactDialog, type Refusal, TargetDialog } from './ContactDialogs';
import { PromiseDialog, type Waivable, WaiverDialog } from './MoneyDialogs';
import { agentLabel, assigneeLabel, CaseStateTag, closedStates, ruleName, ruleText } from './shared';

// One collections case as the agent works it: the case and the debtor (masked), the loan's
// overdue figures, the contact log with the attempt form (a refusal names the conduct rule), the
// contact targets, promises to pay, waiver requests with their approval tier, and the history.

type Detail = Schemas['CollectionsCaseDetail'];
type Servicing = Schemas['LoanServicingDetail'];

export const caseKey = (caseId: string) => ['collections-case', caseId] as const;

export default function CasePage() {
  const { caseId = '' } = useParams();
  const { t } = useTranslation('collections');
  const navigate = useNavigate();
  const detail = useQuery({
    queryKey: caseKey(caseId),
    queryFn: () => unwrap(api.GET('/api/v1/collections/cases/{caseId}', { params: { path: { caseId } } })),
  });
  return (
    <QueryState query={detail}>
      {(data) => (
        <Page
          title={
            <Space>
              <Button
                type="text"
                icon={<ArrowLeftOutlined />}
                onClick={() => navigate(-1)}
                aria-label={t('case.back')}
              />
              {t('case.title', { loanNo: data.case.loanNo })}
              <CaseStateTag state={data.case.state} />
            </Space>
          }
        >
          <CaseBody detail={data} />
        </Page>
      )}
    </QueryState>
  );
}

function CaseBody({ detail }: { detail: Detail }) {
  const { t } = useTranslation('collections');
  const staff = useStaff();
  const can = useCan();
  const row = detail.case;
  const open = !closedStates.includes(row.state);
  const servicing = useQuery({
    queryKey: ['loan-servicing', row.loanId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/loans/{loanId}/servicing', { params: { path: { loanId: row.loanId } } })),
    enabled: can('loans:read'),
  });
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {!open && <Alert type="info" showIcon title={t('case.closed')} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Card title={t('case.summary')} size="small" data-testid="case-summary">
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label={t('column.bucket')}>{row.bucket}</Descriptions.Item>
              <Descriptions.Item label={t('column.dpd')}>
                <span data-testid="case-dpd">{row.dpd}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('case.overdueAtOpen')}>
                <span data-testid="case-overdue">
                  <Money minor={row.overdueMinor} strong />
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('column.queue')}>{row.queue ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('column.assignee')}>
                {assigneeLabel(t, row, staff.user.id)}
              </Descriptions.Item>
              <Descriptions.Item label={t('case.strategy')}>
                {row.strategy ? `${row.strategy.code} v${row.strategy.version}` : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('column.openedOn')}>{row.openedOn}</Descriptions.Item>
              <Descriptions.Item label={t('case.timeZone')}>{row.timeZone}</Descriptions.Item>
              <Descriptions.Item label={t('case.contactWindow')}>
                {row.contactWindow
                  ? `${row.contactWindow.from}–${row.contactWindow.to}`
                  : t('case.contactWindowDefault')}
              </Descriptions.Item>
              {row.closedOn !== null && (
                <Descriptions.Item label={t('column.closedOn')}>{row.closedOn}</Descriptions.Item>
              )}
              {row.closeReason !== null && (
                <Descriptions.Item label={t('case.closeReason')}>{row.closeReason}</Descriptions.Item>
              )}
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <DebtorCard customerId={row.customerId} />
        </Col>
        <Col xs={24} xl={16}>
          <ContactLog detail={detail} open={open} />
        </Col>
        <Col xs={24} xl={8}>
          <LoanCard loanId={row.loanId} servicing={servicing} />
        </Col>
        <Col xs={24} xl={10}>
          <PromisesCard detail={detail} open={open} />
        </Col>
        <Col xs={24} xl={14}>
          <WaiversCard detail={detail} open={open} waivable={waivableOf(servicing.data)} />
        </Col>
        <Col xs={24} xl={12}>
          <TargetsCard detail={detail} open={open} />
        </Col>
        <Col xs={24} xl={12}>
          <HistoryCard detail={detail} />
        </Col>
      </Row>
    </Space>
  );
}

function DebtorCard({ customerId }: { customerId: string }) {
  const { t } = useTranslation('collections');
  const can = useCan();
  const customer = useQuery({
    queryKey: ['customer', customerId],
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customerId}', { params: { path: { customerId } } })),
    enabled: can('customers:read'),
  });
  return (
    <Card title={t('case.debtor')} size="small" data-testid="debtor" style={{ height: '100%' }}>
      {can('customers:read') ? (
        <QueryState query={customer}>
          {(c) => (
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('case.debtorName')}>
                <span data-testid="debtor-name">{c.nameMasked}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('case.idNumber')}>{c.idNumberMasked}</Descriptions.Item>
              <Descriptions.Item label={t('case.phone')}>
                <span data-testid="debtor-phone">{c.phoneMasked}</span>
              </Descriptions.Item>
            </Descriptions>
          )}
        </QueryState>
      ) : (
        <Typography.Text type="secondary">{t('case.debtorHidden')}</Typography.Text>
      )}
    </Card>
  );
}

/** Past-due interest, fee and penalty still owed: what a waiver may forgive (servicing's waivableOf). */
function waivableOf(servicing: Servicing | undefined): Waivable | undefined {
  if (servicing === undefined) return undefined;
  const due = servicing.installments.filter((i) => i.status === 'due');
  const sum = (pick: (i: (typeof due)[number]) => string) =>
    due.reduce((total, i) => total + BigInt(pick(i)), 0n).toString();
  return {
    penaltyMinor: sum((i) => i.penalty.outstandingMinor),
    feeMinor: sum((i) => i.fee.outstandingMinor),
    interestMinor: sum((i) => i.interest.outstandingMinor),
  };
}

function LoanCard({
  loanId,
  servicing,
}: {
  loanId: string;
  servicing: ReturnType<typeof useQuery<Servicing>>;
}) {
  const { t } = useTranslation('collections');
  const can = useCan();
  return (
    <Card
      title={t('case.loan')}
      size="small"
      data-testid="loan-figures"
      extra={
        <Link to={`/loans/${loanId}`} data-testid="loan-link">
          {t('case.openLoan')}
        </Link>
      }
      style={{ height: '100%' }}
    >
      {can('loans:read') ? (
        <QueryState query={servicing}>
          {(s) => {
            const due = s.installments.filter((i) => i.status === 'due');
            return (
              <>
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('column.dpd')}>
                    {s.account.dpd} ({s.account.bucket})
                  </Descriptions.Item>
                  <Descriptions.Item label={t('case.oldestUnpaidDue')}>
                    {s.account.oldestUnpaidDue ?? '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('case.overdueDue')}>
                    <span data-testid="loan-overdue">
                      <Money minor={s.totals.overdueMinor} strong />
                    </span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('case.penalty')}>
                    <span data-testid="loan-penalty">
                      <Money minor={s.totals.penaltyOutstandingMinor} />
                    </span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('case.principalOutstanding')}>
                    <Money minor={s.totals.principalOutstandingMinor} />
                  </Descriptions.Item>
                  <Descriptions.Item label={t('case.remaining')}>
                    <Money minor={s.totals.remainingMinor} />
                  </Descriptions.Item>
                </Descriptions>
                <Table
                  size="small"
                  rowKey="number"
                  pagination={false}
                  dataSource={due}
                  locale={{ emptyText: t('case.noDueInstallments') }}
                  columns={[
                    { title: t('case.installment'), dataIndex: 'number' },
                    { title: t('case.dueDate'), dataIndex: 'dueDate' },
                    {
                      title: t('case.principal'),
                      align: 'right',
                      render: (_, i) => <Money minor={i.principal.outstandingMinor} />,
                    },
                    {
                      title: t('case.interest'),
                      align: 'right',
                      render: (_, i) => <Money minor={i.interest.outstandingMinor} />,
                    },
                    {
                      title: t('waivers.penaltyShort'),
                      align: 'right',
                      render: (_, i) => <Money minor={i.penalty.outstandingMinor} />,
                    },
                  ]}
                />
              </>
            );
          }}
        </QueryState>
      ) : null}
    </Card>
  );
}

export function ContactLog({ detail, open }: { detail: Detail; open: boolean }) {
  const { t } = useTranslation('collections');
  const staff = useStaff();
  const can = useCan();
  const [dialog, setDialog] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | undefined>();
  const targets = new Map(detail.targets.map((target) => [target.id, target]));
  return (
    <Card
      title={t('contacts.title')}
      size="small"
      data-testid="contact-log"
      extra={
        open &&
        can('collections:work') && (
          <Button type="primary" size="small" onClick={() => setDialog(true)} data-testid="log-contact">
            {t('contacts.log')}
          </Button>
        )
      }
    >
      {refusal && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setRefusal(undefined)}
          style={{ marginBottom: 12 }}
          data-testid="contact-refused"
          title={t('contacts.refused', { rule: ruleName(t, refusal.rule) })}
          description={
            <>
              {ruleText(t, refusal.rule)}
              {refusal.rules.length > 1 && (
                <div>
                  {refusal.rules
                    .filter((r) => r !== refusal.rule)
                    .map((r) => ruleName(t, r))
                    .join('；')}
                </div>
              )}
            </>
          }
        />
      )}
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={[...detail.contacts].reverse()}
        scroll={{ x: 'max-content', y: 320 }}
        locale={{ emptyText: t('contacts.empty') }}
        onRow={(attempt) => ({ 'data-testid': `attempt-${attempt.outcome}` }) as never}
        columns={[
          { title: t('contacts.at'), dataIndex: 'at', render: (at: string) => <Instant value={at} /> },
          {
            title: t('contacts.target'),
            key: 'target',
            render: (_, a) => {
              const target = targets.get(a.targetId);
              return `${t(`role.${a.targetRole}`)} ${target?.phoneMasked ?? ''}`;
            },
          },
          { title: t('contacts.channel'), dataIndex: 'channel', render: (c: string) => t(`channel.${c}`) },
          {
            title: t('contacts.outcome'),
            dataIndex: 'outcome',
            render: (o: string) => <StatusTag value={o} ns="collections" />,
          },
          {
            title: t('contacts.rule'),
            dataIndex: 'refusedRule',
            render: (rule: string | null) =>
              rule === null ? '—' : <Typography.Text type="danger">{ruleName(t, rule)}</Typography.Text>,
          },
          {
            title: t('contacts.agent'),
            dataIndex: 'agentId',
            render: (id: string) => agentLabel(t, id, staff.user.id),
          },
          { title: t('contacts.note'), dataIndex: 'note', render: (n: string | null) => n ?? '' },
        ]}
      />
      {dialog && (
        <ContactDialog
          detail={detail}
          onClose={() => setDialog(false)}
          onRecorded={() => {
            setRefusal(undefined);
            setDialog(false);
          }}
          onRefused={(r) => {
            setRefusal(r);
            setDialog(false);
          }}
        />
      )}
    </Card>
  );
}

export function TargetsCard({ detail, open }: { detail: Detail; open: boolean }) {
  const { t } = useTranslation('collections');
  const can = useCan();
  const [dialog, setDialog] = useState(false);
  return (
    <Card
      title={t('targets.title')}
      size="small"
      data-testid="targets"
      extra={
        open &&
        can('collections:work') && (
          <Button size="small" onClick={() => setDialog(true)} data-testid="add-target">
            {t('targets.add')}
          </Button>
        )
      }
    >
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={detail.targets}
        locale={{ emptyText: t('targets.empty') }}
        columns={[
          { title: t('targets.role'), dataIndex: 'role', render: (r: string) => t(`role.${r}`) },
          { title: t('targets.relation'), dataIndex: 'relation' },
          { title: t('targets.phone'), dataIndex: 'phoneMasked' },
          {
            title: t('targets.status'),
            key: 'status',
            render: (_, target) => (
              <Flex gap={4} wrap>
                <StatusTag
                  value={target.status}
                  ns="collections"
                  colour={target.status === 'valid' ? 'green' : 'red'}
                />
                {target.doNotContact && <Tag color="magenta">{t('targets.doNotContact')}</Tag>}
              </Flex>
            ),
          },
          { title: t('targets.source'), dataIndex: 'source' },
        ]}
      />
      {dialog && <TargetDialog caseId={detail.case.id} onClose={() => setDialog(false)} />}
    </Card>
  );
}

function PromisesCard({ detail, open }: { detail: Detail; open: boolean }) {
  const { t } = useTranslation('collections');
  const can = useCan();
  const staff = useStaff();
  const [dialog, setDialog] = useState(false);
  const hasOpen = detail.promises.some((p) => p.status === 'open');
  return (
    <Card
      title={t('promises.title')}
      size="small"
      data-testid="promises"
      extra={
        open &&
        can('collections:work') && (
          <Button size="small" onClick={() => setDialog(true)} disabled={hasOpen} data-testid="make-promise">
            {t('promises.make')}
          </Button>
        )
      }
    >
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={detail.promises}
        locale={{ emptyText: t('promises.empty') }}
        columns={[
          { title: t('promises.date'), dataIndex: 'promisedDate' },
          {
            title: t('promises.amountShort'),
            dataIndex: 'amountMinor',
            align: 'right',
            render: (m: string) => <Money minor={m} />,
          },
          {
            title: t('promises.paid'),
            dataIndex: 'paidMinor',
            align: 'right',
            render: (m: string) => <Money minor={m} />,
          },
          {
            title: t('promises.status'),
            dataIndex: 'status',
            render: (s: string) => <StatusTag value={s} ns="collections" />,
          },
          { title: t('promises.createdOn'), dataIndex: 'createdOn' },
          {
            title: t('contacts.agent'),
            dataIndex: 'agentId',
            render: (id: string) => agentLabel(t, id, staff.user.id),
          },
        ]}
      />
      {dialog && <PromiseDialog caseId={detail.case.id} onClose={() => setDialog(false)} />}
    </Card>
  );
}

function ApprovalStatus({ requestId }: { requestId: string }) {
  const approval = useQuery({
    queryKey: ['approval', requestId],
    queryFn: () => unwrap(api.GET('/api/v1/approvals/{requestId}', { params: { path: { requestId } } })),
  });
  if (approval.data === undefined) return <span>—</span>;
  return <StatusTag value={approval.data.status} ns="collections" />;
}

function WaiversCard({
  detail,
  open,
  waivable,
}: {
  detail: Detail;
  open: boolean;
  waivable: Waivable | undefined;
}) {
  const { t } = useTranslation('collections');
  const can = useCan();
  const [dialog, setDialog] = useState(false);
  const seesApprovals = can('approvals:read');
  return (
    <Card
      title={t('waivers.title')}
      size="small"
      data-testid="waivers"
      extra={
        open &&
        can('collections:waive-request') && (
          <Button size="small" onClick={() => setDialog(true)} data-testid="request-waiver">
            {t('waivers.request')}
          </Button>
        )
      }
    >
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={detail.waivers}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('waivers.empty') }}
        columns={[
          {
            title: t('waivers.requestedAt'),
            dataIndex: 'createdAt',
            render: (at: string) => <Instant value={at} />,
          },
          {
            title: t('waivers.penaltyShort'),
            dataIndex: 'penaltyMinor',
            align: 'right',
            render: (m: string) => <Money minor={m} />,
          },
          {
            title: t('waivers.feeShort'),
            dataIndex: 'feeMinor',
            align: 'right',
            render: (m: string) => <Money minor={m} />,
          },
          {
            title: t('waivers.interestShort'),
            dataIndex: 'interestMinor',
            align: 'right',
            render: (m: string) => <Money minor={m} />,
          },
          {
            title: t('waivers.total'),
            dataIndex: 'totalMinor',
            align: 'right',
            render: (m: string) => <Money minor={m} strong />,
          },
          {
            title: t('waivers.tier'),
            dataIndex: 'tier',
            render: (tier: string) => (
              <span data-testid="waiver-tier">{t(`tier.${tier}`, { defaultValue: tier })}</span>
            ),
          },
          {
            title: t('waivers.status'),
            dataIndex: 'status',
            render: (s: string) => (
              <span data-testid="waiver-status">
                <StatusTag value={s} ns="collections" />
              </span>
            ),
          },
          ...(seesApprovals
            ? [
                {
                  title: t('waivers.approval'),
                  key: 'approval',
                  render: (_: unknown, w: Schemas['CollectionsWaiver']) => (
                    <ApprovalStatus requestId={w.approvalRequestId} />
                  ),
                },
              ]
            : []),
          { title: t('waivers.reason'), dataIndex: 'reason' },
        ]}
      />
      {dialog && (
        <WaiverDialog caseId={detail.case.id} waivable={waivable} onClose={() => setDialog(false)} />
      )}
    </Card>
  );
}

function HistoryCard({ detail }: { detail: Detail }) {
  const { t } = useTranslation('collections');
  return (
    <Card title={t('case.history')} size="small" data-testid="history">
      <Table
        size="small"
        rowKey={(h) => `${h.at}-${h.event}-${h.toState}-${h.actor}`}
        pagination={false}
        dataSource={[...detail.history].reverse()}
        scroll={{ y: 240 }}
        columns={[
          { title: t('contacts.at'), dataIndex: 'at', render: (at: string) => <Instant value={at} /> },
          { title: t('case.event'), dataIndex: 'event' },
          {
            title: t('column.state'),
            dataIndex: 'toState',
            render: (s: string) => <CaseStateTag state={s} />,
          },
          { title: t('case.actor'), dataIndex: 'actor' },
          { title: t('case.reason'), dataIndex: 'reason', render: (r: string | null) => r ?? '' },
        ]}
      />
    </Card>
  );
}
