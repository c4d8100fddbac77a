import { useQuery } from '@tanstack/react-query';
import { Card, Empty, Form, Select, Space, Tag, Typography } from 'antd';
import { Fragment, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { diffLines, hunks } from './diff';
import './risk.css';

type Version = Schemas['PolicyVersion'];

const versionQuery = (versionId: string | null) => ({
  queryKey: ['risk', 'policies', 'version', versionId],
  queryFn: () =>
    unwrap(
      api.GET('/api/v1/risk/policies/{versionId}', { params: { path: { versionId: versionId ?? '' } } }),
    ),
  enabled: versionId !== null,
});

function Diff({ left, right }: { left: Version; right: Version }) {
  const { t } = useTranslation('risk');
  const lines = useMemo(
    () =>
      diffLines(
        JSON.stringify(left.document, null, 2).split('\n'),
        JSON.stringify(right.document, null, 2).split('\n'),
      ),
    [left, right],
  );
  const added = lines.filter((line) => line.kind === 'added').length;
  const removed = lines.filter((line) => line.kind === 'removed').length;
  const groups = hunks(lines);
  return (
    <div data-testid="policy-diff">
      <Space style={{ marginBottom: 12 }}>
        <Tag color="green" data-testid="diff-added-count">
          {t('diff.added', { count: added })}
        </Tag>
        <Tag color="red" data-testid="diff-removed-count">
          {t('diff.removed', { count: removed })}
        </Tag>
      </Space>
      {added + removed === 0 ? (
        <Empty description={t('diff.identical')} />
      ) : (
        <table className="policy-diff">
          <thead>
            <tr>
              <th>{`v${left.version}`}</th>
              <th>{`v${right.version}`}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {groups.map((group, index) =>
              'skipped' in group ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: hunks have no identity but their order
                <tr key={`skip-${index}`} className="diff-skipped">
                  <td colSpan={3}>{t('diff.skipped', { count: group.skipped })}</td>
                </tr>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: hunks have no identity but their order
                <Fragment key={`hunk-${index}`}>
                  {group.lines.map((line) => (
                    <tr
                      key={`${line.kind}-${'left' in line ? line.left : ''}-${'right' in line ? line.right : ''}`}
                      className={`diff-${line.kind}`}
                    >
                      <td className="diff-number">{'left' in line ? line.left : ''}</td>
                      <td className="diff-number">{'right' in line ? line.right : ''}</td>
                      <td className="diff-text">
                        <span className="diff-sign">
                          {line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}
                        </span>
                        {line.text}
                      </td>
                    </tr>
                  ))}
                </Fragment>
              ),
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Two policy versions compared line by line (their documents as indented JSON). */
export default function PolicyDiffPage() {
  const { t } = useTranslation('risk');
  const [params, setParams] = useSearchParams();
  const leftId = params.get('left');
  const rightId = params.get('right');
  const left = useQuery(versionQuery(leftId));
  const right = useQuery(versionQuery(rightId));
  const policyId = right.data?.policyId ?? left.data?.policyId;
  // The versions to choose from: the same policy's, when one side is chosen (first 200, newest first).
  const options = useQuery({
    queryKey: ['risk', 'policies', 'options', policyId ?? null],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/risk/policies', {
          params: { query: { ...(policyId ? { policyId } : {}), limit: 200 } },
        }),
      ),
  });
  const choices = (options.data ?? []).map((version) => ({
    value: version.id,
    label: `${version.policyId} v${version.version} · ${t(`status.${version.status}`)}`,
  }));
  const choose = (side: 'left' | 'right', id: string | undefined) => {
    const next = new URLSearchParams(params);
    if (id) next.set(side, id);
    else next.delete(side);
    setParams(next);
  };
  return (
    <Page title={t('diff.title')}>
      <Card>
        <Form layout="inline" style={{ marginBottom: 16, rowGap: 8 }}>
          <Form.Item label={t('diff.left')}>
            <Select
              showSearch
              optionFilterProp="label"
              allowClear
              style={{ width: 320 }}
              value={leftId ?? undefined}
              options={choices}
              onChange={(id) => choose('left', id)}
              data-testid="diff-left"
            />
          </Form.Item>
          <Form.Item label={t('diff.right')}>
            <Select
              showSearch
              optionFilterProp="label"
              allowClear
              style={{ width: 320 }}
              value={rightId ?? undefined}
              options={choices}
              onChange={(id) => choose('right', id)}
              data-testid="diff-right"
            />
          </Form.Item>
        </Form>
        {leftId === null || rightId === null ? (
          <Empty description={t('diff.choose')} />
        ) : (
          <QueryState query={left}>
            {(leftVersion) => (
              <QueryState query={right}>
                {(rightVersion) => (
                  <>
                    {leftVersion.policyId !== rightVersion.policyId && (
                      <Typography.Paragraph type="warning">{t('diff.otherPolicy')}</Typography.Paragraph>
                    )}
                    <Diff left={leftVersion} right={rightVersion} />
                  </>
                )}
              </QueryState>
            )}
          </QueryState>
        )}
      </Card>
    </Page>
  );
}
