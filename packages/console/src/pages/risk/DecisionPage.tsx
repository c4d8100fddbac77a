import { CheckCircleOutlined, CloseCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Descriptions, Row, Space, Statistic, Switch, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { JsonBlock } from '../../components/JsonBlock';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { formatRatio } from '../../format';
import {
  type CharacteristicTrace,
  type Decision,
  outcomeColour,
  type PolicyScalar,
  type RuleTrace,
} from './shared';
import './risk.css';

const scalar = (value: PolicyScalar) => (value === null ? 'null' : JSON.stringify(value));

/**
 * One credit decision with its trace: every rule's verdict and what it read, every scorecard
 * characteristic's bin and points, the grade and the offer — replayed against its pinned policy
 * version (the page says whether the replay matches the stored decision byte for byte). Opened by
 * decision id (`/risk/decisions/:decisionId`) or by application (`/risk/applications/:applicationId`).
 */
export default function DecisionPage() {
  const { decisionId: byDecision, applicationId: byApplication } = useParams();
  const { t } = useTranslation('risk');
  const [hitsOnly, setHitsOnly] = useState(false);
  const trace = useQuery({
    queryKey: ['risk', 'decision', byDecision ?? null, byApplication ?? null],
    queryFn: async () => {
      let decisionId = byDecision;
      let application: Awaited<ReturnType<typeof loadApplication>> | undefined;
      if (decisionId === undefined) {
        application = await loadApplication(byApplication ?? '');
        decisionId = application.decision.id;
      }
      const replay = await unwrap(
        api.GET('/api/v1/risk/decisions/{decisionId}/replay', { params: { path: { decisionId } } }),
      );
      application ??= await loadApplication(replay.applicationId);
      const version = await unwrap(
        api.GET('/api/v1/risk/policies/{versionId}', {
          params: { path: { versionId: replay.policyVersionId } },
        }),
      );
      return { replay, application, version, stored: replay.stored as Decision };
    },
  });

  return (
    <Page title={t('decision.title')}>
      <QueryState query={trace}>
        {({ replay, application, version, stored }) => {
          const rules = stored.trace.rules.filter((rule) => !hitsOnly || rule.verdict === 'hit');
          const points = stored.trace.scorecard.reduce((sum, item) => sum + item.points, 0);
          const assigned = application.decision.id === replay.decisionId;
          return (
            <Space
              orientation="vertical"
              size="middle"
              style={{ width: '100%' }}
              data-testid="decision-trace"
            >
              <Card>
                <Row gutter={[24, 16]}>
                  <Col xs={12} md={4}>
                    <Statistic
                      title={t('field.outcome')}
                      valueRender={() => (
                        <StatusTag value={stored.outcome} ns="risk" colour={outcomeColour[stored.outcome]} />
                      )}
                    />
                  </Col>
                  <Col xs={12} md={4}>
                    <Statistic
                      title={t('field.score')}
                      value={stored.score}
                      styles={{ content: { fontVariantNumeric: 'tabular-nums' } }}
                    />
                  </Col>
                  <Col xs={12} md={4}>
                    <Statistic title={t('field.grade')} value={stored.grade ?? '—'} />
                  </Col>
                  <Col xs={12} md={6}>
                    <Statistic
                      title={t('field.policy')}
                      valueRender={() => (
                        <Link to={`/risk/policies/${version.id}`}>
                          {version.policyId} v{version.version}
                        </Link>
                      )}
                    />
                  </Col>
                  <Col xs={24} md={6}>
                    <Statistic
                      title={t('decision.replay')}
                      valueRender={() =>
                        replay.matches ? (
                          <Tag color="green" icon={<CheckCircleOutlined />} data-testid="replay-status">
                            {t('decision.matches')}
                          </Tag>
                        ) : (
                          <Tag color="red" icon={<CloseCircleOutlined />} data-testid="replay-status">
                            {t('decision.differs')}
                          </Tag>
                        )
                      }
                    />
                  </Col>
                </Row>
                {!replay.matches && (
                  <Alert
                    type="error"
                    showIcon
                    style={{ marginTop: 16 }}
                    title={t('decision.differsDetail')}
                  />
                )}
              </Card>
              <Card title={t('decision.application')} size="small">
                <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                  <Descriptions.Item label={t('field.application')}>
                    <Typography.Text copyable>{application.id}</Typography.Text>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.customer')}>
                    <Typography.Text copyable>{application.customerId}</Typography.Text>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.status')}>
                    <StatusTag value={application.status} ns="risk" />
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.businessDate')}>
                    {application.businessDate}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.createdAt')}>
                    <Instant value={application.createdAt} />
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.decidedAt')}>
                    <Instant value={application.decidedAt} />
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.limit')}>
                    <span data-testid="application-limit">
                      <Money minor={application.limitMinor} />
                    </span>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.evaluation')}>
                    <StatusTag value={application.decision.role} ns="risk" />
                    {assigned ? t('decision.deciding') : t('decision.notDeciding')}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('field.reasons')}>
                    {stored.reasons.length === 0
                      ? '—'
                      : stored.reasons.map((reason) => <Tag key={reason}>{reason}</Tag>)}
                  </Descriptions.Item>
                </Descriptions>
              </Card>
              <Card title={t('decision.offer')} size="small">
                {stored.outcome === 'approve' ? (
                  <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                    <Descriptions.Item label={t('field.creditLimit')}>
                      <Money minor={stored.creditLimit} />
                    </Descriptions.Item>
                    <Descriptions.Item label={t('field.price')}>
                      {stored.price
                        ? `${t(`price.${stored.price.kind}`)} ${formatRatio(stored.price.rate, stored.price.kind === 'annual_rate' ? 2 : 3)}`
                        : '—'}
                    </Descriptions.Item>
                    <Descriptions.Item label={t('field.products')}>
                      {stored.products.map((code) => (
                        <Tag key={code}>{code}</Tag>
                      ))}
                    </Descriptions.Item>
                  </Descriptions>
                ) : (
                  <Typography.Text type="secondary">{t('decision.noOffer')}</Typography.Text>
                )}
              </Card>
              <Card
                title={t('decision.rules', {
                  hits: stored.trace.rules.filter((rule) => rule.verdict === 'hit').length,
                  count: stored.trace.rules.length,
                })}
                size="small"
                extra={
                  <Space>
                    {t('decision.hitsOnly')}
                    <Switch size="small" checked={hitsOnly} onChange={setHitsOnly} />
                  </Space>
                }
              >
                <Table<RuleTrace>
                  size="small"
                  rowKey="id"
                  dataSource={rules}
                  pagination={false}
                  scroll={{ y: 420 }}
                  data-testid="trace-rules"
                  rowClassName={(rule) => (rule.verdict === 'hit' ? 'trace-hit' : '')}
                  locale={{ emptyText: t('decision.noHits') }}
                  columns={[
                    { title: t('field.rule'), dataIndex: 'id', width: 100 },
                    {
                      title: t('field.verdict'),
                      dataIndex: 'verdict',
                      width: 90,
                      render: (verdict: string) => (
                        <Tag color={verdict === 'hit' ? 'volcano' : 'default'}>{t(`verdict.${verdict}`)}</Tag>
                      ),
                    },
                    {
                      title: t('field.action'),
                      dataIndex: 'action',
                      width: 100,
                      render: (a: string) => t(`ruleAction.${a}`),
                    },
                    { title: t('field.reason'), dataIndex: 'reason' },
                    {
                      title: t('field.read'),
                      dataIndex: 'read',
                      render: (read: RuleTrace['read']) =>
                        Object.entries(read).map(([feature, value]) => (
                          <Tag key={feature} variant="filled">
                            {feature} = {scalar(value)}
                          </Tag>
                        )),
                    },
                  ]}
                />
              </Card>
              <Card title={t('decision.scorecard')} size="small">
                <Table<CharacteristicTrace>
                  size="small"
                  rowKey="feature"
                  dataSource={stored.trace.scorecard}
                  pagination={false}
                  data-testid="trace-scorecard"
                  columns={[
                    { title: t('field.feature'), dataIndex: 'feature' },
                    { title: t('field.value'), dataIndex: 'value', render: scalar },
                    {
                      title: t('field.bin'),
                      dataIndex: 'bin',
                      render: (bin: CharacteristicTrace['bin']) =>
                        typeof bin === 'number' ? `#${bin + 1}` : t(`bin.${bin}`),
                    },
                    { title: t('field.points'), dataIndex: 'points', align: 'right' },
                  ]}
                  summary={() => (
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0} colSpan={3}>
                        {t('decision.scoreSum', { base: stored.score - points, points })}
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={3} align="right">
                        <strong data-testid="trace-score">{stored.score}</strong>
                      </Table.Summary.Cell>
                    </Table.Summary.Row>
                  )}
                />
              </Card>
              {!replay.matches && (
                <Row gutter={16}>
                  <Col span={12}>
                    <Typography.Title level={5}>{t('decision.stored')}</Typography.Title>
                    <JsonBlock value={replay.stored} />
                  </Col>
                  <Col span={12}>
                    <Typography.Title level={5}>{t('decision.replayed')}</Typography.Title>
                    <JsonBlock value={replay.replayed} />
                  </Col>
                </Row>
              )}
            </Space>
          );
        }}
      </QueryState>
    </Page>
  );
}

function loadApplication(applicationId: string) {
  return unwrap(
    api.GET('/api/v1/risk/applications/{applicationId}', { params: { path: { applicationId } } }),
  );
}
