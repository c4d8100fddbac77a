import { useQuery } from '@tanstack/react-query';
import { Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/QueryState';
import { ContactLog, caseKey, TargetsCard } from '../collections/CasePage';
import { CaseStateTag } from '../collections/shared';

// The customer's contacts in the 360° view, read-only: the contact targets collections holds for
// the customer (the debtor's numbers and contact persons, masked) and each case's contact log. The
// case page is where they are worked.

export function ContactsTab({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const cases = useQuery({
    queryKey: ['collections-cases', 'customer', customerId],
    queryFn: () => unwrap(api.GET('/api/v1/collections/cases', { params: { query: { customerId } } })),
  });
  return (
    <QueryState query={cases} isEmpty={(page) => page.items.length === 0} empty={t('contacts.none')}>
      {(page) => (
        <Space orientation="vertical" style={{ width: '100%' }} data-testid="customer-contacts">
          {page.items.map((c, index) => (
            <CaseContacts key={c.id} caseId={c.id} withTargets={index === 0} />
          ))}
        </Space>
      )}
    </QueryState>
  );
}

function CaseContacts({ caseId, withTargets }: { caseId: string; withTargets: boolean }) {
  const { t } = useTranslation('customers');
  const detail = useQuery({
    queryKey: caseKey(caseId),
    queryFn: () => unwrap(api.GET('/api/v1/collections/cases/{caseId}', { params: { path: { caseId } } })),
  });
  return (
    <QueryState query={detail}>
      {(d) => (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {/* The targets are the customer's, the same in every case: shown once. */}
          {withTargets && <TargetsCard detail={d} open={false} />}
          <Typography.Text>
            <Link to={`/collections/cases/${d.case.id}`}>
              {t('contacts.case', { loanNo: d.case.loanNo })}
            </Link>{' '}
            <CaseStateTag state={d.case.state} />
          </Typography.Text>
          <ContactLog detail={d} open={false} />
        </Space>
      )}
    </QueryState>
  );
}
