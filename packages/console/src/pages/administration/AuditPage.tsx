import { CheckCircleFilled, CloseCircleFilled, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  Row,
  Select,
  Space,
  Statistic,
  type TableProps,
  Typography,
} from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { JsonBlock } from '../../components/JsonBlock';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { ServerTable } from '../../components/ServerTable';
import { useUrlFilters } from '../../components/useUrlFilters';
import { formatCount } from '../../format';
import { pageOf } from './shared';

type Event = Schemas['AuditEvent'];
const filterKeys = ['action', 'actorKind', 'actorId', 'subjectType', 'subjectId'] as const;

function ChainStatus() {
  const { t } = useTranslation('administration');
  const verification = useQuery({
    queryKey: ['audit', 'verification'],
    queryFn: () => unwrap(api.GET('/api/v1/audit/verification')),
    staleTime: 0,
  });
  return (
    <Card
      size="small"
      title={t('chain.chain')}
      style={{ marginBottom: 16 }}
      extra={
        <Button
          size="small"
          icon={<ReloadOutlined />}
          loading={verification.isFetching}
          onClick={() => void verification.refetch()}
        >
          {t('chain.verify')}
        </Button>
      }
      data-testid="audit-chain"
    >
      <QueryState query={verification}>
        {(result) => (
          <Row gutter={24} align="middle">
            <Col xs={24} md={6}>
              <Statistic
                title={t('chain.status')}
                valueRender={() =>
                  result.ok ? (
                    <Typography.Text type="success" strong data-testid="audit-chain-status">
                      <CheckCircleFilled /> {t('chain.ok')}
                    </Typography.Text>
                  ) : (
                    <Typography.Text type="danger" strong data-testid="audit-chain-status">
                      <CloseCircleFilled /> {t('chain.broken')}
                    </Typography.Text>
                  )
                }
              />
            </Col>
            <Col xs={12} md={4}>
              <Statistic title={t('chain.rows')} value={formatCount(result.rows)} />
            </Col>
            <Col xs={24} md={14}>
              {result.ok ? (
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('chain.headSeq')}>{result.head?.seq ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label={t('chain.headHash')}>
                    {result.head ? (
                      <Typography.Text code copyable style={{ fontSize: 12 }}>
                        {result.head.hash}
                      </Typography.Text>
                    ) : (
                      '—'
                    )}
                  </Descriptions.Item>
                </Descriptions>
              ) : (
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label={t('chain.brokenSeq')}>{result.brokenSeq}</Descriptions.Item>
                  <Descriptions.Item label={t('chain.reason')}>{result.reason}</Descriptions.Item>
                </Descriptions>
              )}
              <Typography.Text type="secondary">{t('chain.headHelp')}</Typography.Text>
            </Col>
          </Row>
        )}
      </QueryState>
    </Card>
  );
}

/** The audit log, newest first and filtered on the server, with the chain's verification. */
export default function AuditPage() {
  const { t } = useTranslation('administration');
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<Partial<Record<(typeof filterKeys)[number], string>>>();
  useEffect(() => form.setFieldsValue(filters), [filters, form]);

  const columns: TableProps<Event>['columns'] = [
    { title: t('field.seq'), dataIndex: 'seq', align: 'right' },
    {
      title: t('field.occurredAt'),
      dataIndex: 'occurredAt',
      render: (value: string) => <Instant value={value} />,
    },
    {
      title: t('field.actor'),
      dataIndex: 'actor',
      render: (actor: Event['actor']) => (
        <span title={actor.id}>
          {t(`actorKind.${actor.kind}`, { defaultValue: actor.kind })}{' '}
          {actor.id.length > 12 ? actor.id.slice(0, 8) : actor.id}
        </span>
      ),
    },
    {
      title: t('field.action'),
      dataIndex: 'action',
      render: (action: string) => <Typography.Text code>{action}</Typography.Text>,
    },
    {
      title: t('field.subject'),
      dataIndex: 'subject',
      render: (subject: Event['subject']) =>
        subject === null ? (
          '—'
        ) : (
          <span
            title={subject.id}
          >{`${subject.type} ${subject.id.length > 12 ? subject.id.slice(0, 8) : subject.id}`}</span>
        ),
    },
    { title: t('field.ip'), dataIndex: 'ip', render: (ip: string | null) => ip ?? '—' },
    {
      title: t('field.requestId'),
      dataIndex: 'requestId',
      render: (id: string | null) => (id ? <span title={id}>{id.slice(0, 8)}</span> : '—'),
    },
  ];

  return (
    <Page title={t('audit')}>
      <ChainStatus />
      <Card>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) => setFilters(values)}
          style={{ marginBottom: 16, rowGap: 8 }}
        >
          <Form.Item name="action" label={t('field.action')}>
            <Input allowClear placeholder="approvals.approved" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="actorKind" label={t('field.actorKind')}>
            <Select
              allowClear
              style={{ width: 130 }}
              options={['staff', 'borrower', 'merchant', 'funder', 'system'].map((value) => ({
                value,
                label: t(`actorKind.${value}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="actorId" label={t('field.actorId')}>
            <Input allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="subjectType" label={t('field.subjectType')}>
            <Input allowClear placeholder="approval-request" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="subjectId" label={t('field.subjectId')}>
            <Input allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t('common:action.search')}
              </Button>
              <Button onClick={() => setFilters({})}>{t('common:action.reset')}</Button>
            </Space>
          </Form.Item>
        </Form>
        <ServerTable<Event>
          testId="audit-events"
          queryKey={['audit', 'events', filters]}
          filtered={filtered}
          fetchPage={(cursor, limit) =>
            pageOf(
              (size) =>
                unwrap(
                  api.GET('/api/v1/audit/events', {
                    params: { query: { ...filters, order: 'desc', beforeSeq: cursor, limit: size } },
                  }),
                ),
              limit,
              (row) => row.seq,
            )
          }
          columns={columns}
          rowKey="seq"
          expandable={{
            expandedRowRender: (event) => (
              <Row gutter={12}>
                {(['before', 'after', 'details'] as const).map((part) => (
                  <Col span={8} key={part}>
                    <Typography.Text type="secondary">{t(`chain.${part}`)}</Typography.Text>
                    <JsonBlock value={event[part] ?? null} maxHeight={240} />
                  </Col>
                ))}
                <Col span={24} style={{ marginTop: 8 }}>
                  <Typography.Text type="secondary">{t('chain.hash')}: </Typography.Text>
                  <Typography.Text code style={{ fontSize: 12 }}>
                    {event.hash}
                  </Typography.Text>
                </Col>
              </Row>
            ),
          }}
        />
      </Card>
    </Page>
  );
}
