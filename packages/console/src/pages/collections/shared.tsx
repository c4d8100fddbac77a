import type { TableProps } from 'antd';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import type { RowPage } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';

// What the collections pages share: the case list's columns and page reader, and how a conduct
// rule, an agent and a case's assignee read.

/** A translate function (any namespace's `t`; keys here are namespaced). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

export type Case = Schemas['CollectionsCase'];
export type CaseFilters = {
  state?: Case['state'];
  queue?: string;
  agentId?: string;
  bucket?: 'M0' | 'M1' | 'M2' | 'M3' | 'M4' | 'M5' | 'M6' | 'M7';
  open?: 'true' | 'false';
};

export const caseStates: Case['state'][] = [
  'unassigned',
  'assigned',
  'in_progress',
  'promised_to_pay',
  'broken_promise',
  'transferred_to_agency',
  'resolved',
  'written_off',
];
export const buckets = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'] as const;
export const conductRules = [
  'do_not_contact',
  'number_invalid',
  'contact_person_while_reachable',
  'not_debtor_disclosure',
  'quiet_hours',
  'connected_voice_limit',
  'unanswered_dial_limit',
] as const;

export const closedStates: readonly string[] = ['resolved', 'written_off'];

/** One page of cases from the server, with the filters as the API takes them. */
export function fetchCases(filters: CaseFilters) {
  return async (cursor: string | undefined, limit: number): Promise<RowPage<Case>> => {
    const page = await unwrap(
      api.GET('/api/v1/collections/cases', {
        params: { query: { ...filters, ...(cursor ? { after: cursor } : {}), limit: String(limit) } },
      }),
    );
    return { rows: page.items, next: page.next };
  };
}

/** A conduct rule's human name (the catalogue of docs/collections.md); an unknown one by its code. */
export function ruleName(t: Translate, rule: string | null | undefined): string {
  if (rule === null || rule === undefined) return '—';
  return (conductRules as readonly string[]).includes(rule)
    ? t(`collections:rule.${rule}.name`)
    : t('collections:rule.unknown.name', { rule });
}

export function ruleText(t: Translate, rule: string): string {
  return (conductRules as readonly string[]).includes(rule)
    ? t(`collections:rule.${rule}.text`)
    : t('collections:rule.unknown.text');
}

const shortId = (id: string) => id.slice(0, 8);

/** Who an attempt or a promise was made by: me, the strategy's automation, or an agent by id. */
export function agentLabel(t: Translate, agentId: string, myId: string): string {
  if (agentId === myId) return t('collections:assignee.me');
  if (agentId.startsWith('system:')) return t('collections:contacts.system');
  return t('collections:assignee.agent', { id: shortId(agentId) });
}

export function assigneeLabel(t: Translate, row: Case, myId: string): string {
  if (row.agentId !== null) return agentLabel(t, row.agentId, myId);
  if (row.agencyId !== null) return t('collections:assignee.agency', { id: shortId(row.agencyId) });
  return t('collections:assignee.none');
}

export function caseColumns(t: Translate, myId: string, withAssignee: boolean): TableProps<Case>['columns'] {
  const columns: TableProps<Case>['columns'] = [
    {
      title: t('collections:column.loanNo'),
      dataIndex: 'loanNo',
      render: (loanNo: string, row) => (
        <Link to={`/collections/cases/${row.id}`} data-testid="case-link">
          {loanNo}
        </Link>
      ),
    },
    { title: t('collections:column.product'), dataIndex: 'productCode' },
    { title: t('collections:column.bucket'), dataIndex: 'bucket' },
    { title: t('collections:column.dpd'), dataIndex: 'dpd', align: 'right' },
    {
      title: t('collections:column.overdue'),
      dataIndex: 'overdueMinor',
      align: 'right',
      render: (minor: string) => <Money minor={minor} />,
    },
    {
      title: t('collections:column.state'),
      dataIndex: 'state',
      render: (state: string) => <CaseStateTag state={state} />,
    },
    { title: t('collections:column.queue'), dataIndex: 'queue', render: (q: string | null) => q ?? '—' },
  ];
  if (withAssignee)
    columns.push({
      title: t('collections:column.assignee'),
      key: 'assignee',
      render: (_: unknown, row) => assigneeLabel(t, row, myId),
    });
  columns.push(
    { title: t('collections:column.openedOn'), dataIndex: 'openedOn' },
    {
      title: t('collections:column.closedOn'),
      dataIndex: 'closedOn',
      render: (d: string | null) => d ?? '—',
    },
  );
  return columns;
}

/**
 * The Idempotency-Key of one command, as the typed client requires it in `params.header` (the
 * client would add one too): a fresh key per submission.
 */
export { commandKey } from '../../api/client';

const stateColours: Record<string, string> = {
  unassigned: 'gold',
  assigned: 'blue',
  in_progress: 'processing',
  promised_to_pay: 'cyan',
  broken_promise: 'red',
  transferred_to_agency: 'purple',
  resolved: 'green',
  written_off: 'magenta',
};

/** A case's state as a tag coloured by how it stands. */
export function CaseStateTag({ state }: { state: string }) {
  return <StatusTag value={state} ns="collections" colour={stateColours[state]} />;
}
