import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

// Tables owned by the IAM module (migration 0003). No other module's SQL names them.

type Created = ColumnType<Date, Date | undefined, never>;

export interface AuditLogTable {
  seq: bigint;
  occurred_at: ColumnType<Date, string, never>;
  actor_kind: string;
  actor_id: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  request_id: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
  prev_hash: string;
  hash: string;
}

export interface StaffUserTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  password_must_change: Generated<boolean>;
  password_changed_at: Generated<Date>;
  totp_secret_enc: string;
  totp_last_step: Generated<bigint>;
  status: Generated<'active' | 'disabled'>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface StaffRecoveryCodeTable {
  user_id: string;
  code_hash: string;
  used_at: Date | null;
}

export interface StaffLoginThrottleTable {
  username_key: string;
  failures: number;
  lockouts: number;
  locked_until: Date | null;
  last_failure_at: Date | null;
}

export interface StaffSessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: Created;
  last_seen_at: Date;
  idle_expires_at: Date;
  absolute_expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface RoleTable {
  name: string;
  description: string;
  built_in: Generated<boolean>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface RolePermissionTable {
  role: string;
  permission: string;
}

export interface StaffUserRoleTable {
  user_id: string;
  role: string;
  granted_at: Created;
}

export interface ApprovalRequestTable {
  id: string;
  action: string;
  payload: unknown;
  reason: string;
  maker_id: string;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  checker_id: string | null;
  decision_note: string | null;
  decided_at: Date | null;
  result: unknown;
  created_at: Created;
}

export interface BorrowerTable {
  id: string;
  phone_bidx: string;
  phone_enc: string;
  status: Generated<'active' | 'disabled'>;
  created_at: Created;
  last_login_at: Date | null;
}

export interface BorrowerOtpChallengeTable {
  id: string;
  phone_bidx: string;
  code_hash: string;
  ip: string;
  created_at: Created;
  expires_at: Date;
  attempts: Generated<number>;
  consumed_at: Date | null;
}

export interface BorrowerSessionTable {
  id: string;
  borrower_id: string;
  access_token_hash: string;
  access_expires_at: Date;
  refresh_token_hash: string;
  refresh_expires_at: Date;
  created_at: Created;
  rotated_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

export interface BorrowerSpentRefreshTokenTable {
  token_hash: string;
  session_id: string;
  spent_at: Created;
}

export interface ApiClientTable {
  id: string;
  key_id: string;
  owner_kind: 'merchant' | 'funder';
  owner_id: string;
  name: string;
  secret_enc: string;
  created_by: string;
  created_at: Created;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface RequestNonceTable {
  key_id: string;
  nonce: string;
  expires_at: Date;
}

export interface IamTables {
  audit_log: AuditLogTable;
  staff_users: StaffUserTable;
  staff_recovery_codes: StaffRecoveryCodeTable;
  staff_login_throttle: StaffLoginThrottleTable;
  staff_sessions: StaffSessionTable;
  roles: RoleTable;
  role_permissions: RolePermissionTable;
  staff_user_roles: StaffUserRoleTable;
  approval_requests: ApprovalRequestTable;
  borrowers: BorrowerTable;
  borrower_otp_challenges: BorrowerOtpChallengeTable;
  borrower_sessions: BorrowerSessionTable;
  borrower_spent_refresh_tokens: BorrowerSpentRefreshTokenTable;
  api_clients: ApiClientTable;
  request_nonces: RequestNonceTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type IamDb = Kysely<IamTables> | Transaction<IamTables>;
export type IamTx = Transaction<IamTables>;
