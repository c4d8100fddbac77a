import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the funding module (migration 0019_funding.sql). Loan ids and product codes
// belong to other modules and are plain values here.

type Created = ColumnType<Date, Date | undefined, never>;

export const funderKinds = ['own', 'bank', 'investor_pool'] as const;
export type FunderKind = (typeof funderKinds)[number];

export const funderStatuses = ['active', 'suspended'] as const;
export type FunderStatus = (typeof funderStatuses)[number];

export const ruleKinds = ['fixed', 'quota'] as const;
export type RuleKind = (typeof ruleKinds)[number];

export const custodyHolderKinds = ['lender', 'borrower'] as const;
export type CustodyHolderKind = (typeof custodyHolderKinds)[number];

export const custodyInstructionKinds = ['deposit', 'withdrawal', 'transfer'] as const;
export type CustodyInstructionKind = (typeof custodyInstructionKinds)[number];

export interface FundingFunderTable {
  id: string;
  code: string;
  name: string;
  kind: FunderKind;
  quota_minor: bigint | null;
  used_minor: Generated<bigint>;
  status: Generated<FunderStatus>;
  custody_bank_name: string | null;
  created_at: Created;
  updated_at: Generated<Date>;
}

/** One entry of a rule's ordered funder list (jsonb). */
export type RuleFunderJson = { funderId: string; shareBp?: number };

export interface FundingRuleVersionTable {
  product_code: string;
  version: number;
  kind: RuleKind;
  min_bank_share_bp: number;
  funders: ColumnType<RuleFunderJson[], string, never>;
  reason: string;
  approval_request_id: string;
  maker_id: string;
  checker_id: string;
  created_at: Created;
}

export interface FundingAllocationTable {
  loan_id: string;
  product_code: string;
  principal_minor: bigint;
  rule_version: number | null;
  status: Generated<'allocated' | 'released'>;
  business_date: DateString;
  created_at: Created;
  released_at: Date | null;
}

export interface FundingAllocationShareTable {
  loan_id: string;
  position: number;
  funder_id: string;
  share_bp: number;
  principal_minor: bigint;
}

export interface FundingCustodyAccountTable {
  id: string;
  funder_id: string;
  holder_kind: CustodyHolderKind;
  holder_ref: string;
  account_ref: string;
  balance_minor: Generated<bigint>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface FundingCustodyInstructionTable {
  id: string;
  funder_id: string;
  instruction_id: string;
  kind: CustodyInstructionKind;
  amount_minor: bigint;
  from_account_id: string | null;
  to_account_id: string | null;
  loan_id: string | null;
  request_sha256: string;
  journal_entry_id: bigint | null;
  recorded_by_kind: 'funder' | 'staff';
  recorded_by_id: string;
  business_date: DateString;
  created_at: Created;
}

export interface FundingTables {
  funding_funders: FundingFunderTable;
  funding_rule_versions: FundingRuleVersionTable;
  funding_allocations: FundingAllocationTable;
  funding_allocation_shares: FundingAllocationShareTable;
  funding_custody_accounts: FundingCustodyAccountTable;
  funding_custody_instructions: FundingCustodyInstructionTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type FundingDb = Kysely<FundingTables> | Transaction<FundingTables>;
export type FundingTx = Transaction<FundingTables>;
