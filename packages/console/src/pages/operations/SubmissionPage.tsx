import { ArrowLeftOutlined, CheckCircleTwoTone, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { formatCount } from '../../format';
import { recordsKey, submissionsKey } from './BureauPage';
import { commandKey, formatBytes } from './shared';

// One submission file: its range, counts, SHA-256 digest and the records left out with their
// failing rules; for finance (bureau:submit) the XML to download (its digest checked in the
// browser against the one recorded) and the bureau's feedback to import.

type Submission = Schemas['BureauSubmission'];
type Feedback = Schemas['BureauFeedbackImport'];

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export default function SubmissionPage() {
  const { submissionId = '' } = useParams();
  const { t, i18n } = useTranslation('operations');
  const navigate = useNavigate();
  const can = useCan();
  const submission = useQuery({
    queryKey: ['bureau-submission', submissionId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/bureau/submissions/{submissionId}', { params: { path: { submissionId } } })),
  });
  return (
    <QueryState query={submission}>
      {(s) => (
        <Page
          title={
            <Space>
              <Button
                type="text"
                icon={<ArrowLeftOutlined />}
                onClick={() => navigate('/operations/bureau')}
              />
              {t('bureauPage.submission', { id: s.id.slice(0, 8) })}
            </Space>
          }
          extra={can('bureau:submit') && <DownloadButton submission={s} />}
        >
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Card size="small">
              <Descriptions size="small" column={{ xs: 1, md: 3 }} data-testid="submission-detail">
                <Descriptions.Item label={t('bureauPage.range')}>
                  {s.rangeFrom === s.rangeTo ? s.rangeFrom : `${s.rangeFrom} – ${s.rangeTo}`}
                </Descriptions.Item>
                <Descriptions.Item label={t('bureauPage.recordsCount')}>
                  <span data-testid="submission-records">{formatCount(s.records)}</span>
                </Descriptions.Item>
                <Descriptions.Item label={t('bureauPage.excludedCount')}>
                  {formatCount(s.excluded.length)}
                </Descriptions.Item>
                <Descriptions.Item label={t('bureauPage.bytes')}>{formatBytes(s.bytes)}</Descriptions.Item>
                <Descriptions.Item label={t('bureauPage.createdAt')}>
                  <Instant value={s.createdAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('bureauPage.createdBy')}>{s.createdBy}</Descriptions.Item>
                <Descriptions.Item label={t('bureauPage.digest')} span={3}>
                  <Typography.Text code copyable data-testid="submission-digest">
                    {s.digest}
                  </Typography.Text>
                </Descriptions.Item>
              </Descriptions>
            </Card>
            <Card size="small" title={t('bureauPage.excluded')}>
              <Table
                size="small"
                rowKey="recordId"
                pagination={s.excluded.length > 20 ? { pageSize: 20 } : false}
                dataSource={s.excluded}
                locale={{ emptyText: t('bureauPage.noExcluded') }}
                columns={[
                  { title: t('bureauPage.column.acctCode'), dataIndex: 'acctCode' },
                  { title: t('bureauPage.column.rptDate'), dataIndex: 'rptDate' },
                  {
                    title: t('bureauPage.column.rptDateCode'),
                    dataIndex: 'rptDateCode',
                    render: (c: string) => t(`bureauPage.code.${c}`, { defaultValue: c }),
                  },
                  {
                    title: t('bureauPage.rule'),
                    key: 'failures',
                    render: (_, r) => (
                      <ul className="problem-fields">
                        {r.failures.map((f) => (
                          <li key={`${f.rule}-${f.segment}-${f.field ?? ''}`}>
                            <Typography.Text code>{f.rule}</Typography.Text> {f.segment}
                            {f.field ? `.${f.field}` : ''}:{' '}
                            {i18n.language === 'en' ? f.message.en : f.message['zh-CN']}
                          </li>
                        ))}
                      </ul>
                    ),
                  },
                ]}
              />
            </Card>
            {can('bureau:submit') && <FeedbackImport submissionId={s.id} />}
          </Space>
        </Page>
      )}
    </QueryState>
  );
}

function DownloadButton({ submission }: { submission: Submission }) {
  const { t } = useTranslation('operations');
  const [state, setState] = useState<{ busy: boolean; verified?: boolean; error?: unknown }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const file = await unwrap(
        api.GET('/api/v1/bureau/submissions/{submissionId}/file', {
          params: { path: { submissionId: submission.id } },
        }),
      );
      const verified = (await sha256Hex(file.xml)) === submission.digest;
      const url = URL.createObjectURL(new Blob([file.xml], { type: file.contentType }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `fenqi-bureau-${submission.rangeFrom}_${submission.rangeTo}-${submission.id.slice(0, 8)}.xml`;
      link.click();
      URL.revokeObjectURL(url);
      setState({ busy: false, verified });
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  return (
    <Space>
      {state.verified === true && (
        <Typography.Text type="success" data-testid="digest-verified">
          <CheckCircleTwoTone twoToneColor="#52c41a" /> SHA-256 ✓
        </Typography.Text>
      )}
      {state.verified === false && <Typography.Text type="danger">SHA-256 ✗</Typography.Text>}
      {state.error !== undefined && <ProblemAlert error={state.error} />}
      <Button
        icon={<DownloadOutlined />}
        loading={state.busy}
        onClick={() => void download()}
        data-testid="download-xml"
      >
        {t('bureauPage.download')}
      </Button>
    </Space>
  );
}

function FeedbackImport({ submissionId }: { submissionId: string }) {
  const { t } = useTranslation('operations');
  const { message } = App.useApp();
  const queries = useQueryClient();
  const [file, setFile] = useState<{ name: string; content: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ feedback: Feedback; again: boolean } | undefined>();
  const [error, setError] = useState<unknown>();
  const importIt = async () => {
    if (file === undefined) return;
    setBusy(true);
    setError(undefined);
    const {
      data,
      error: problem,
      response,
    } = await api.POST('/api/v1/bureau/feedback', {
      params: { header: commandKey() },
      body: { content: file.content, submissionId },
    });
    setBusy(false);
    if (!response.ok || data === undefined) {
      setError(new ApiProblem(response.status, (problem ?? {}) as Record<string, unknown>));
      return;
    }
    // 201: imported now; 200: the same file was imported before (its first result).
    setResult({ feedback: data, again: response.status === 200 });
    void message.success(t('bureauPage.imported'));
    await Promise.all([
      queries.invalidateQueries({ queryKey: recordsKey }),
      queries.invalidateQueries({ queryKey: submissionsKey }),
    ]);
  };
  return (
    <Card size="small" title={t('bureauPage.feedback')} data-testid="feedback">
      <Typography.Paragraph type="secondary">{t('bureauPage.feedbackHint')}</Typography.Paragraph>
      <Space align="start" wrap>
        <Upload
          accept=".xml,.csv,.txt"
          maxCount={1}
          showUploadList={false}
          beforeUpload={async (chosen) => {
            setFile({ name: chosen.name, content: await chosen.text() });
            setResult(undefined);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} data-testid="feedback-file">
            {t('bureauPage.upload')}
          </Button>
        </Upload>
        {file && <Typography.Text data-testid="feedback-file-name">{file.name}</Typography.Text>}
        <Button
          type="primary"
          disabled={file === undefined}
          loading={busy}
          onClick={() => void importIt()}
          data-testid="feedback-import"
        >
          {t('bureauPage.import')}
        </Button>
      </Space>
      {error !== undefined && (
        <div style={{ marginTop: 12 }}>
          <ProblemAlert error={error} />
        </div>
      )}
      {result && (
        <div style={{ marginTop: 12 }} data-testid="feedback-result">
          {result.again && (
            <Alert type="info" showIcon title={t('bureauPage.importedAgain')} style={{ marginBottom: 8 }} />
          )}
          <Descriptions size="small" bordered column={4}>
            <Descriptions.Item label={t('bureauPage.format')}>
              {result.feedback.format.toUpperCase()}
            </Descriptions.Item>
            <Descriptions.Item label={t('bureauPage.accepted')}>
              <span data-testid="feedback-accepted">{formatCount(result.feedback.accepted)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('bureauPage.rejected')}>
              <span data-testid="feedback-rejected">{formatCount(result.feedback.rejected)}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('bureauPage.unmatched')}>
              {formatCount(result.feedback.unmatched.length)}
            </Descriptions.Item>
          </Descriptions>
        </div>
      )}
    </Card>
  );
}
