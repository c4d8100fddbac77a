import { CheckCircleOutlined, FormatPainterOutlined, SaveOutlined, WarningOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Input, List, Row, Space, Typography } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { useCommand } from '../../components/useCommand';
import { featureErrors, type SchemaError, schemaErrors } from './jsonSchema';
import { commandKey } from './shared';
import './risk.css';

type Version = Schemas['PolicyVersion'];

export const policySchemaQuery = {
  queryKey: ['risk', 'policy-schema'],
  queryFn: () => unwrap(api.GET('/api/v1/risk/policy-schema')),
  staleTime: Number.POSITIVE_INFINITY,
};

type Checked =
  | { kind: 'json'; message: string }
  | { kind: 'schema'; document: Record<string, unknown>; errors: SchemaError[] };

function checkText(text: string, schema: Schemas['PolicySchema']): Checked {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { kind: 'json', message: error instanceof Error ? error.message : String(error) };
  }
  const errors = [...schemaErrors(schema.schema, document), ...featureErrors(document, schema.features)];
  return { kind: 'schema', document: (document ?? {}) as Record<string, unknown>, errors };
}

/**
 * A policy document as JSON text, checked as it is typed against the schema the API validates
 * with (and the features Fenqi computes); it can be saved only once that check passes. What only
 * the server's validator sees comes back as field errors under `document/…`, shown beside it.
 */
export function PolicyEditor({
  initialText,
  versionId,
  onSaved,
  onCancel,
}: {
  initialText: string;
  /** A draft to rewrite (PUT); without it a new draft is written (POST). */
  versionId?: string;
  onSaved: (version: Version) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation('risk');
  const [text, setText] = useState(initialText);
  const deferred = useDeferredValue(text);
  const schema = useQuery(policySchemaQuery);
  const checked = useMemo(
    () => (schema.data === undefined ? undefined : checkText(deferred, schema.data)),
    [deferred, schema.data],
  );
  const save = useCommand(
    (document: Record<string, unknown>) =>
      versionId === undefined
        ? unwrap(
            api.POST('/api/v1/risk/policies', {
              params: { header: commandKey() },
              body: { document: document as never },
            }),
          )
        : unwrap(
            api.PUT('/api/v1/risk/policies/{versionId}', {
              params: { path: { versionId }, header: commandKey() },
              body: { document: document as never },
            }),
          ),
    {
      invalidates: [['risk', 'policies']],
      success: t('editor.saved'),
      onSuccess: (version) => onSaved(version),
    },
  );
  const problems = checked?.kind === 'schema' ? checked.errors : [];
  const valid = checked?.kind === 'schema' && problems.length === 0 && text === deferred;

  const message = (error: SchemaError) => t(`schemaError.${error.keyword}`, error.params);

  return (
    <QueryState query={schema}>
      {() => (
        <Row gutter={16}>
          <Col xs={24} xl={15}>
            <Input.TextArea
              value={text}
              onChange={(event) => setText(event.target.value)}
              autoSize={{ minRows: 24, maxRows: 40 }}
              spellCheck={false}
              className="policy-json"
              data-testid="policy-json"
              aria-label={t('editor.document')}
            />
            <Space style={{ marginTop: 12 }}>
              <Button
                type="primary"
                icon={<SaveOutlined />}
                disabled={!valid}
                loading={save.isPending}
                data-testid="policy-save"
                onClick={() => checked?.kind === 'schema' && save.mutate(checked.document)}
              >
                {versionId === undefined ? t('editor.create') : t('editor.save')}
              </Button>
              <Button
                icon={<FormatPainterOutlined />}
                disabled={checked?.kind !== 'schema'}
                onClick={() =>
                  checked?.kind === 'schema' && setText(JSON.stringify(checked.document, null, 2))
                }
              >
                {t('editor.format')}
              </Button>
              {onCancel && <Button onClick={onCancel}>{t('common:action.cancel')}</Button>}
            </Space>
          </Col>
          <Col xs={24} xl={9}>
            <Card size="small" title={t('editor.check')} data-testid="policy-check">
              {checked === undefined ? null : checked.kind === 'json' ? (
                <Alert
                  type="error"
                  showIcon
                  title={t('editor.notJson')}
                  description={checked.message}
                  data-testid="policy-client-errors"
                />
              ) : problems.length === 0 ? (
                <Alert
                  type="success"
                  showIcon
                  icon={<CheckCircleOutlined />}
                  title={t('editor.schemaOk')}
                  description={t('editor.schemaOkDetail')}
                />
              ) : (
                <div data-testid="policy-client-errors">
                  <Alert
                    type="error"
                    showIcon
                    icon={<WarningOutlined />}
                    title={t('editor.schemaProblems', { count: problems.length })}
                  />
                  <List
                    size="small"
                    dataSource={problems.slice(0, 50)}
                    renderItem={(error) => (
                      <List.Item>
                        <Typography.Text code>{error.path || '/'}</Typography.Text> {message(error)}
                      </List.Item>
                    )}
                  />
                </div>
              )}
              {save.isError && (
                <div style={{ marginTop: 12 }} data-testid="policy-server-errors">
                  <ProblemAlert error={save.error} />
                </div>
              )}
            </Card>
          </Col>
        </Row>
      )}
    </QueryState>
  );
}
