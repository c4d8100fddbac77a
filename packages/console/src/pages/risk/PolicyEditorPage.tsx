import { useQuery } from '@tanstack/react-query';
import { Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { PolicyEditor } from './PolicyEditor';

// A starting point over features Fenqi computes: valid as it stands, so an author edits from a
// document that passes, and sees each change's effect on the check.
const template = {
  id: 'new-policy',
  version: 1,
  currency: 'CNY',
  features: { age: { type: 'integer' }, bureauScore: { type: 'integer', nullable: true } },
  rules: [
    { id: 'R001', when: { feature: 'age', op: '<', value: 18 }, action: 'reject', reason: 'R001_UNDER_AGE' },
  ],
  scorecard: {
    basePoints: 600,
    characteristics: [
      {
        feature: 'bureauScore',
        bins: [
          { range: [null, 600], points: -20 },
          { range: [600, null], points: 20 },
        ],
        missingPoints: -10,
      },
    ],
  },
  grades: [
    { grade: 'A', minScore: 600 },
    { grade: 'B', minScore: null },
  ],
  offers: [
    {
      grade: 'A',
      creditLimit: '5000000',
      price: { kind: 'annual_rate', rate: '0.1440' },
      products: ['pos-installment'],
    },
    {
      grade: 'B',
      creditLimit: '1000000',
      price: { kind: 'annual_rate', rate: '0.1800' },
      products: ['pos-installment'],
    },
  ],
};

/** A new policy draft: from the template, or from another version (`?from=`) as its next version. */
export default function PolicyEditorPage() {
  const { t } = useTranslation('risk');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const from = params.get('from');
  const source = useQuery({
    queryKey: ['risk', 'policies', 'version', from],
    queryFn: async () => {
      if (from === null) return template;
      const version = await unwrap(
        api.GET('/api/v1/risk/policies/{versionId}', { params: { path: { versionId: from } } }),
      );
      return { ...(version.document as Record<string, unknown>), version: version.version + 1 };
    },
  });
  return (
    <Page title={t('editor.newTitle')}>
      <Card>
        <Typography.Paragraph type="secondary">{t('editor.help')}</Typography.Paragraph>
        <QueryState query={source}>
          {(document) => (
            <PolicyEditor
              initialText={JSON.stringify(document, null, 2)}
              onSaved={(version) => navigate(`/risk/policies/${version.id}`)}
              onCancel={() => navigate(-1)}
            />
          )}
        </QueryState>
      </Card>
    </Page>
  );
}
