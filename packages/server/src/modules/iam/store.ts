import { type Insertable, type Selectable, sql } from 'kysely';
import type {
  ApiClientTable,
  ApprovalRequestTable,
  AuditLogTable,
  IamDb,
  IamTx,
  StaffSessionTable,
  StaffUserTable,
} from './tables.ts';

// The SQL of the IAM module; nothing else touches its tables. Every function takes the connection
// (or, for locking reads and writes that must commit together, the transaction) typed with IAM's
// tables only, so a query here cannot name another context's table.

const count = (result: { numAffectedRows?: bigint; numUpdatedRows?: bigint; numDeletedRows?: bigint }) =>
  Number(result.numAffectedRows ?? result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

// ---- Audit log ----

/** pg_advisory_xact_lock key owned by the audit log: the bytes of "fenqiaud" read as an int8. */
const auditLockKey = 0x66656e7169617564n;

export type AuditRow = Selectable<AuditLogTable> & { occurred_us: bigint };

/**
 * Takes the chain's lock for the rest of the transaction, then reads the head and draws the next
 * sequence number and the append time (microseconds since the epoch, the database clock's own
 * resolution: every change, however close in time, gets a distinct, hashed instant).
 */
export async function beginAuditAppend(
  trx: IamTx,
): Promise<{ prevHash: string | undefined; seq: bigint; occurredUs: bigint }> {
  await sql`SELECT pg_advisory_xact_lock(${auditLockKey.toString()}::bigint)`.execute(trx);
  const result = await sql<{ prev_hash: string | null; seq: bigint; occurred_us: bigint }>`
    SELECT (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS prev_hash,
           nextval('audit_log_seq') AS seq,
           (extract(epoch FROM clock_timestamp()) * 1000000)::int8 AS occurred_us`.execute(trx);
  const row = result.rows[0];
  if (!row) throw new Error('the audit append query returned no row');
  return { prevHash: row.prev_hash ?? undefined, seq: row.seq, occurredUs: row.occurred_us };
}

export async function insertAuditRow(
  trx: IamTx,
  row: Omit<Insertable<AuditLogTable>, 'occurred_at'> & { occurred_at: string },
): Promise<void> {
  await trx.insertInto('audit_log').values(row).execute();
}

const auditColumns = [
  'seq',
  'occurred_at',
  'actor_kind',
  'actor_id',
  'action',
  'subject_type',
  'subject_id',
  'ip',
  'request_id',
  'before',
  'after',
  'details',
  'prev_hash',
  'hash',
] as const;

const occurredUs = sql<bigint>`(extract(epoch FROM occurred_at) * 1000000)::int8`.as('occurred_us');

/** Audit rows in chain order after `afterSeq`, with their instants to the microsecond. */
export async function auditRowsAfter(db: IamDb, afterSeq: bigint, limit: number): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_log')
    .select([...auditColumns, occurredUs])
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export type AuditFilter = {
  afterSeq?: bigint | undefined;
  beforeSeq?: bigint | undefined;
  /** `asc` chain order (the default), `desc` newest first. */
  order?: 'asc' | 'desc' | undefined;
  limit: number;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  action?: string | undefined;
  actorKind?: string | undefined;
  actorId?: string | undefined;
};

export async function listAuditRows(db: IamDb, filter: AuditFilter): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log')
    .select([...auditColumns, occurredUs])
    .orderBy('seq', filter.order ?? 'asc')
    .limit(filter.limit);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  if (filter.subjectType !== undefined) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId !== undefined) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.actorKind !== undefined) query = query.where('actor_kind', '=', filter.actorKind);
  if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
  return query.execute();
}

// ---- Staff users ----

export type StaffUserRow = Selectable<StaffUserTable>;

export async function findStaffUserByUsername(
  db: IamDb,
  username: string,
): Promise<StaffUserRow | undefined> {
  return db.selectFrom('staff_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findStaffUser(db: IamDb, userId: string): Promise<StaffUserRow | undefined> {
  return db.selectFrom('staff_users').selectAll().where('id', '=', userId).executeTakeFirst();
}

/** Display names of staff users by id (those that exist). */
export async function staffDisplayNames(db: IamDb, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('staff_users')
    .select(['id', 'display_name'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, row.display_name]));
}

/** The user row locked for the rest of the transaction (password change, disable, role change). */
export async function lockStaffUser(trx: IamTx, userId: string): Promise<StaffUserRow | undefined> {
  return trx.selectFrom('staff_users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirst();
}

/** Inserts a user and their recovery codes; a taken username is a unique violation (staff_users_username_key). */
export async function insertStaffUser(
  trx: IamTx,
  user: Insertable<StaffUserTable>,
  recoveryCodeHashes: readonly string[],
): Promise<void> {
  await trx.insertInto('staff_users').values(user).execute();
  await trx
    .insertInto('staff_recovery_codes')
    .values(recoveryCodeHashes.map((code_hash) => ({ user_id: user.id, code_hash, used_at: null })))
    .execute();
}

export async function updateStaffUser(
  trx: IamTx,
  userId: string,
  change: {
    status?: 'active' | 'disabled';
    passwordHash?: string;
    totpLastStep?: bigint;
  },
): Promise<void> {
  await trx
    .updateTable('staff_users')
    .set({
      ...(change.status === undefined ? {} : { status: change.status, updated_at: sql<Date>`now()` }),
      ...(change.passwordHash === undefined
        ? {}
        : {
            password_hash: change.passwordHash,
            password_must_change: false,
            password_changed_at: sql<Date>`now()`,
            updated_at: sql<Date>`now()`,
          }),
      ...(change.totpLastStep === undefined ? {} : { totp_last_step: change.totpLastStep }),
    })
    .where('id', '=', userId)
    .execute();
}

/** Marks an unused recovery code of the user used; false when it is not theirs or was used. */
export async function useRecoveryCode(trx: IamTx, userId: string, codeHash: string): Promise<boolean> {
  const used = await trx
    .updateTable('staff_recovery_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return used.numUpdatedRows === 1n;
}

export type StaffUserFilter = {
  /** Part of the username or display name, case-insensitive. */
  q?: string | undefined;
  status?: 'active' | 'disabled' | undefined;
  role?: string | undefined;
  /** Keyset: the users after this username (list order is by username). */
  afterUsername?: string | undefined;
  limit?: number | undefined;
};

/** Staff users (all, one, or a filtered page by username) and their role grants. */
export async function listStaffUserRows(db: IamDb, userId?: string, filter: StaffUserFilter = {}) {
  let users = db
    .selectFrom('staff_users')
    .select(['id', 'username', 'display_name', 'status', 'password_must_change', 'created_at'])
    .orderBy('username');
  if (userId !== undefined) users = users.where('id', '=', userId);
  if (filter.q !== undefined) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    users = users.where((eb) =>
      eb.or([eb('username', 'ilike', pattern), eb('display_name', 'ilike', pattern)]),
    );
  }
  if (filter.status !== undefined) users = users.where('status', '=', filter.status);
  const role = filter.role;
  if (role !== undefined)
    users = users.where((eb) =>
      eb.exists(
        eb
          .selectFrom('staff_user_roles as g')
          .select('g.role')
          .whereRef('g.user_id', '=', 'staff_users.id')
          .where('g.role', '=', role),
      ),
    );
  if (filter.afterUsername !== undefined) users = users.where('username', '>', filter.afterUsername);
  if (filter.limit !== undefined) users = users.limit(filter.limit);
  const found = await users.execute();
  if (found.length === 0) return { users: found, roles: [] };
  const roles = await db
    .selectFrom('staff_user_roles')
    .select(['user_id', 'role'])
    .where(
      'user_id',
      'in',
      found.map((user) => user.id),
    )
    .orderBy('role')
    .execute();
  return { users: found, roles };
}

export async function countUsersWithRole(db: IamDb, role: string): Promise<number> {
  const row = await db
    .selectFrom('staff_user_roles')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('role', '=', role)
    .executeTakeFirstOrThrow();
  return row.n;
}

// ---- Throttles ----

export type ThrottleState = { failures: number; lockouts: number; lockedSeconds: number };

/** Locks the throttle row of a key for the whole attempt: guesses for one key queue up. */
export async function lockThrottle(trx: IamTx, key: string): Promise<ThrottleState> {
  await trx
    .insertInto('staff_login_throttle')
    .values({ username_key: key, failures: 0, lockouts: 0, locked_until: null, last_failure_at: null })
    .onConflict((oc) => oc.column('username_key').doNothing())
    .execute();
  const row = await trx
    .selectFrom('staff_login_throttle')
    .select([
      'failures',
      'lockouts',
      sql<number>`greatest(0, ceil(extract(epoch FROM locked_until - now())))::int`.as('locked_seconds'),
    ])
    .where('username_key', '=', key)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { failures: row.failures, lockouts: row.lockouts, lockedSeconds: row.locked_seconds };
}

export async function recordThrottleFailure(
  trx: IamTx,
  key: string,
  next: { failures: number; lockouts: number; lockMinutes: number | undefined },
): Promise<void> {
  await trx
    .updateTable('staff_login_throttle')
    .set({
      failures: next.failures,
      lockouts: next.lockouts,
      last_failure_at: sql<Date>`now()`,
      ...(next.lockMinutes === undefined
        ? {}
        : { locked_until: sql<Date>`now() + make_interval(mins => ${next.lockMinutes})` }),
    })
    .where('username_key', '=', key)
    .execute();
}

export async function resetThrottleFailures(trx: IamTx, key: string): Promise<void> {
  await trx
    .updateTable('staff_login_throttle')
    .set({ failures: 0, locked_until: null })
    .where('username_key', '=', key)
    .execute();
}

// ---- Staff sessions ----

export async function insertStaffSession(
  trx: IamTx,
  session: {
    id: string;
    tokenHash: string;
    userId: string;
    idleMinutes: number;
    absoluteHours: number;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<{ absoluteExpiresAt: Date }> {
  const row = await trx
    .insertInto('staff_sessions')
    .values({
      id: session.id,
      token_hash: session.tokenHash,
      user_id: session.userId,
      last_seen_at: sql<Date>`now()`,
      idle_expires_at: sql<Date>`now() + make_interval(mins => ${session.idleMinutes})`,
      absolute_expires_at: sql<Date>`now() + make_interval(hours => ${session.absoluteHours})`,
      revoked_at: null,
      revoked_reason: null,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .returning('absolute_expires_at')
    .executeTakeFirstOrThrow();
  return { absoluteExpiresAt: row.absolute_expires_at };
}

/** The live session of a token with its active user, and whether its idle expiry is due a touch. */
export async function findLiveStaffSession(db: IamDb, tokenHash: string, touchSeconds: number) {
  return db
    .selectFrom('staff_sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.user_id')
    .select([
      's.id as sessionId',
      's.idle_expires_at',
      's.absolute_expires_at',
      sql<boolean>`s.last_seen_at < now() - make_interval(secs => ${touchSeconds})`.as('stale'),
      'u.id as userId',
      'u.username',
      'u.display_name',
      'u.password_must_change',
    ])
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.idle_expires_at', '>', sql<Date>`now()`)
    .where('s.absolute_expires_at', '>', sql<Date>`now()`)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
}

/** Sliding idle expiry, never past the absolute end; returns the new idle expiry. */
export async function touchStaffSession(
  db: IamDb,
  sessionId: string,
  idleMinutes: number,
): Promise<Date | undefined> {
  const row = await db
    .updateTable('staff_sessions')
    .set({
      last_seen_at: sql<Date>`now()`,
      idle_expires_at: sql<Date>`least(absolute_expires_at, now() + make_interval(mins => ${idleMinutes}))`,
    })
    .where('id', '=', sessionId)
    .returning('idle_expires_at')
    .executeTakeFirst();
  return row?.idle_expires_at;
}

export type SessionSelector =
  | { sessionId: string }
  | { tokenHash: string }
  | { userId: string; except?: string | undefined };

/** Revokes live sessions (one, by token, or all of a user but `except`); returns how many. */
export async function revokeStaffSessions(
  trx: IamDb,
  selector: SessionSelector,
  reason: string,
): Promise<number> {
  let query = trx
    .updateTable('staff_sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('revoked_at', 'is', null);
  if ('sessionId' in selector) query = query.where('id', '=', selector.sessionId);
  else if ('tokenHash' in selector) query = query.where('token_hash', '=', selector.tokenHash);
  else {
    query = query.where('user_id', '=', selector.userId);
    if (selector.except !== undefined) query = query.where('id', '<>', selector.except);
  }
  return count(await query.executeTakeFirst());
}

export type StaffSessionRow = Selectable<StaffSessionTable>;

// ---- Roles ----

export async function userRoleGrants(db: IamDb, userId: string) {
  return db
    .selectFrom('staff_user_roles as ur')
    .leftJoin('role_permissions as rp', 'rp.role', 'ur.role')
    .select(['ur.role', 'rp.permission'])
    .where('ur.user_id', '=', userId)
    .execute();
}

export async function rolesOfUser(db: IamDb, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_user_roles')
    .select('role')
    .where('user_id', '=', userId)
    .orderBy('role')
    .execute();
  return rows.map((row) => row.role);
}

export async function listRoleRows(db: IamDb) {
  const roles = await db
    .selectFrom('roles')
    .select(['name', 'description', 'built_in'])
    .orderBy('built_in', 'desc')
    .orderBy('name')
    .execute();
  const grants = await db
    .selectFrom('role_permissions')
    .select(['role', 'permission'])
    .orderBy('permission')
    .execute();
  return { roles, grants };
}

export async function existingRoles(db: IamDb, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await db.selectFrom('roles').select('name').where('name', 'in', names).execute();
  return rows.map((row) => row.name);
}

export async function replaceRolesOfUser(
  trx: IamTx,
  userId: string,
  roles: readonly string[],
): Promise<void> {
  await trx.deleteFrom('staff_user_roles').where('user_id', '=', userId).execute();
  if (roles.length > 0) {
    await trx
      .insertInto('staff_user_roles')
      .values(roles.map((role) => ({ user_id: userId, role })))
      .execute();
  }
}

export async function grantRole(trx: IamTx, userId: string, role: string): Promise<void> {
  await trx.insertInto('staff_user_roles').values({ user_id: userId, role }).execute();
}

/** Creates or redefines a custom role under a lock of its name; returns its permissions before. */
export async function upsertCustomRole(
  trx: IamTx,
  role: { name: string; description: string; permissions: readonly string[] },
): Promise<string[]> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`role:${role.name}`}))`.execute(trx);
  const before = await trx
    .selectFrom('role_permissions')
    .select('permission')
    .where('role', '=', role.name)
    .orderBy('permission')
    .execute();
  await trx
    .insertInto('roles')
    .values({ name: role.name, description: role.description, built_in: false })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ description: role.description, updated_at: sql<Date>`now()` }),
    )
    .execute();
  await trx.deleteFrom('role_permissions').where('role', '=', role.name).execute();
  if (role.permissions.length > 0) {
    await trx
      .insertInto('role_permissions')
      .values(role.permissions.map((permission) => ({ role: role.name, permission })))
      .execute();
  }
  return before.map((row) => row.permission);
}

// ---- Approval requests ----

export type ApprovalRow = Selectable<ApprovalRequestTable>;

export async function insertApprovalRequest(
  trx: IamTx,
  request: { id: string; action: string; payload: unknown; reason: string; makerId: string },
): Promise<ApprovalRow> {
  return trx
    .insertInto('approval_requests')
    .values({
      id: request.id,
      action: request.action,
      payload: JSON.stringify(request.payload),
      reason: request.reason,
      maker_id: request.makerId,
      checker_id: null,
      decision_note: null,
      decided_at: null,
      result: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function lockApprovalRequest(trx: IamTx, id: string): Promise<ApprovalRow | undefined> {
  return trx.selectFrom('approval_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function recordApprovalDecision(
  trx: IamTx,
  id: string,
  decision: { status: 'approved' | 'rejected'; checkerId: string; note: string | null; result: unknown },
): Promise<ApprovalRow> {
  return trx
    .updateTable('approval_requests')
    .set({
      status: decision.status,
      checker_id: decision.checkerId,
      decision_note: decision.note,
      decided_at: sql<Date>`now()`,
      result: decision.result === null ? null : JSON.stringify(decision.result),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type ApprovalFilter = {
  status?: 'pending' | 'approved' | 'rejected' | undefined;
  action?: string | undefined;
  makerId?: string | undefined;
  /** Keyset: the requests after this one in list order (newest first). */
  before?: string | undefined;
  limit: number;
};

export async function listApprovalRequests(db: IamDb, filter: ApprovalFilter): Promise<ApprovalRow[]> {
  let query = db
    .selectFrom('approval_requests')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.makerId !== undefined) query = query.where('maker_id', '=', filter.makerId);
  const before = filter.before;
  if (before !== undefined) {
    const last = db.selectFrom('approval_requests').select('created_at').where('id', '=', before);
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', last), eb.and([eb('created_at', '=', last), eb('id', '<', before)])]),
    );
  }
  return query.execute();
}

export async function findApprovalRequest(db: IamDb, id: string): Promise<ApprovalRow | undefined> {
  return db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---- Borrowers: one-time codes, accounts, sessions ----

/** Serializes the sends for one phone and counts the recent sends by phone and by IP. */
export async function lockAndCountOtpSends(
  trx: IamTx,
  by: { phoneBidx: string; ip: string; windowMinutes: number },
): Promise<{ byPhone: number; byIp: number }> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`otp:${by.phoneBidx}`}))`.execute(trx);
  return trx
    .selectFrom('borrower_otp_challenges')
    .select([
      sql<number>`count(*) FILTER (WHERE phone_bidx = ${by.phoneBidx})::int`.as('byPhone'),
      sql<number>`count(*) FILTER (WHERE ip = ${by.ip})::int`.as('byIp'),
    ])
    .where('created_at', '>', sql<Date>`now() - make_interval(mins => ${by.windowMinutes})`)
    .where((eb) => eb.or([eb('phone_bidx', '=', by.phoneBidx), eb('ip', '=', by.ip)]))
    .executeTakeFirstOrThrow();
}

/** A new code replaces any earlier one: only the latest challenge can be answered. */
export async function insertOtpChallenge(
  trx: IamTx,
  challenge: { id: string; phoneBidx: string; codeHash: string; ip: string; ttlSeconds: number },
): Promise<void> {
  await trx
    .updateTable('borrower_otp_challenges')
    .set({ consumed_at: sql<Date>`now()` })
    .where('phone_bidx', '=', challenge.phoneBidx)
    .where('consumed_at', 'is', null)
    .execute();
  await trx
    .insertInto('borrower_otp_challenges')
    .values({
      id: challenge.id,
      phone_bidx: challenge.phoneBidx,
      code_hash: challenge.codeHash,
      ip: challenge.ip,
      expires_at: sql<Date>`now() + make_interval(secs => ${challenge.ttlSeconds})`,
      consumed_at: null,
    })
    .execute();
}

/** The latest challenge of a phone, locked. */
export async function lockLatestOtpChallenge(trx: IamTx, phoneBidx: string) {
  return trx
    .selectFrom('borrower_otp_challenges')
    .select(['id', 'code_hash', 'attempts', 'consumed_at', sql<boolean>`expires_at <= now()`.as('expired')])
    .where('phone_bidx', '=', phoneBidx)
    .orderBy('created_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateOtpChallenge(
  trx: IamTx,
  id: string,
  change: { attempts?: number; consumed: boolean },
): Promise<void> {
  await trx
    .updateTable('borrower_otp_challenges')
    .set({
      ...(change.attempts === undefined ? {} : { attempts: change.attempts }),
      ...(change.consumed ? { consumed_at: sql<Date>`now()` } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function findBorrowerByPhoneIndex(trx: IamDb, phoneBidx: string) {
  return trx
    .selectFrom('borrowers')
    .select(['id', 'status'])
    .where('phone_bidx', '=', phoneBidx)
    .executeTakeFirst();
}

export async function markBorrowerLogin(trx: IamTx, borrowerId: string): Promise<void> {
  await trx
    .updateTable('borrowers')
    .set({ last_login_at: sql<Date>`now()` })
    .where('id', '=', borrowerId)
    .execute();
}

/** A new borrower account; a phone registered concurrently is a unique violation (borrowers_phone_bidx_key). */
export async function insertBorrower(
  trx: IamTx,
  borrower: { id: string; phoneBidx: string; phoneEnc: string },
): Promise<void> {
  await trx
    .insertInto('borrowers')
    .values({
      id: borrower.id,
      phone_bidx: borrower.phoneBidx,
      phone_enc: borrower.phoneEnc,
      last_login_at: sql<Date>`now()`,
    })
    .execute();
}

export async function borrowerPhoneCiphertext(db: IamDb, borrowerId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('borrowers')
    .select('phone_enc')
    .where('id', '=', borrowerId)
    .executeTakeFirst();
  return row?.phone_enc;
}

export async function insertBorrowerSession(
  trx: IamTx,
  session: {
    id: string;
    borrowerId: string;
    accessTokenHash: string;
    accessMinutes: number;
    refreshTokenHash: string;
    refreshDays: number;
  },
): Promise<void> {
  await trx
    .insertInto('borrower_sessions')
    .values({
      id: session.id,
      borrower_id: session.borrowerId,
      access_token_hash: session.accessTokenHash,
      access_expires_at: sql<Date>`now() + make_interval(mins => ${session.accessMinutes})`,
      refresh_token_hash: session.refreshTokenHash,
      refresh_expires_at: sql<Date>`now() + make_interval(days => ${session.refreshDays})`,
      rotated_at: null,
      revoked_at: null,
      revoked_reason: null,
    })
    .execute();
}

/** The session a spent refresh token belonged to (a second presentation means theft). */
export async function sessionOfSpentRefreshToken(trx: IamTx, tokenHash: string) {
  return trx
    .selectFrom('borrower_spent_refresh_tokens as t')
    .innerJoin('borrower_sessions as s', 's.id', 't.session_id')
    .select(['s.id', 's.borrower_id', 's.revoked_at'])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** The live session of a refresh token with an active borrower, locked. */
export async function lockSessionOfRefreshToken(trx: IamTx, tokenHash: string) {
  return trx
    .selectFrom('borrower_sessions as s')
    .innerJoin('borrowers as b', 'b.id', 's.borrower_id')
    .select(['s.id', 's.borrower_id'])
    .where('s.refresh_token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.refresh_expires_at', '>', sql<Date>`now()`)
    .where('b.status', '=', 'active')
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Spends a refresh token and rotates the session's tokens; the refresh lifetime is not extended.
 * Returns the seconds the login has left.
 */
export async function rotateBorrowerSession(
  trx: IamTx,
  rotation: {
    sessionId: string;
    spentRefreshHash: string;
    accessTokenHash: string;
    accessMinutes: number;
    refreshTokenHash: string;
  },
): Promise<number> {
  await trx
    .insertInto('borrower_spent_refresh_tokens')
    .values({ token_hash: rotation.spentRefreshHash, session_id: rotation.sessionId })
    .execute();
  const row = await trx
    .updateTable('borrower_sessions')
    .set({
      access_token_hash: rotation.accessTokenHash,
      access_expires_at: sql<Date>`now() + make_interval(mins => ${rotation.accessMinutes})`,
      refresh_token_hash: rotation.refreshTokenHash,
      rotated_at: sql<Date>`now()`,
    })
    .where('id', '=', rotation.sessionId)
    .returning(
      sql<number>`greatest(0, floor(extract(epoch FROM refresh_expires_at - now())))::int`.as('seconds'),
    )
    .executeTakeFirstOrThrow();
  return row.seconds;
}

export async function findBorrowerSessionByAccessToken(db: IamDb, tokenHash: string) {
  return db
    .selectFrom('borrower_sessions as s')
    .innerJoin('borrowers as b', 'b.id', 's.borrower_id')
    .select(['s.id', 's.borrower_id', sql<boolean>`s.access_expires_at <= now()`.as('expired')])
    .where('s.access_token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('b.status', '=', 'active')
    .executeTakeFirst();
}

export async function revokeBorrowerSessionRow(db: IamDb, sessionId: string, reason: string): Promise<void> {
  await db
    .updateTable('borrower_sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

// ---- Partner API clients and request nonces ----

export type ApiClientRow = Selectable<ApiClientTable>;

const apiClientColumns = [
  'id',
  'key_id',
  'owner_kind',
  'owner_id',
  'name',
  'created_at',
  'revoked_at',
  'last_used_at',
] as const;

export type ApiClientViewRow = Pick<ApiClientRow, (typeof apiClientColumns)[number]>;

export async function insertApiClient(
  trx: IamTx,
  client: Omit<Insertable<ApiClientTable>, 'revoked_at' | 'last_used_at' | 'created_at'>,
): Promise<ApiClientViewRow> {
  return trx
    .insertInto('api_clients')
    .values({ ...client, revoked_at: null, last_used_at: null })
    .returning(apiClientColumns)
    .executeTakeFirstOrThrow();
}

export async function revokeApiClientRow(trx: IamTx, id: string): Promise<ApiClientViewRow | undefined> {
  return trx
    .updateTable('api_clients')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('id', '=', id)
    .returning(apiClientColumns)
    .executeTakeFirst();
}

export type ApiClientFilter = {
  ownerKind?: 'merchant' | 'funder' | undefined;
  ownerId?: string | undefined;
  status?: 'active' | 'revoked' | undefined;
  /** Keyset: the clients after this one in list order (oldest first). */
  after?: string | undefined;
  limit?: number | undefined;
};

export async function listApiClientRows(
  db: IamDb,
  owner?: { kind: 'merchant' | 'funder'; id: string },
  filter: ApiClientFilter = {},
): Promise<ApiClientViewRow[]> {
  let query = db.selectFrom('api_clients').select(apiClientColumns).orderBy('created_at').orderBy('id');
  if (owner !== undefined)
    query = query.where('owner_kind', '=', owner.kind).where('owner_id', '=', owner.id);
  if (filter.ownerKind !== undefined) query = query.where('owner_kind', '=', filter.ownerKind);
  if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.status === 'active') query = query.where('revoked_at', 'is', null);
  if (filter.status === 'revoked') query = query.where('revoked_at', 'is not', null);
  const after = filter.after;
  if (after !== undefined) {
    const last = db.selectFrom('api_clients').select('created_at').where('id', '=', after);
    query = query.where((eb) =>
      eb.or([eb('created_at', '>', last), eb.and([eb('created_at', '=', last), eb('id', '>', after)])]),
    );
  }
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return query.execute();
}

export async function findOwnApiClientRow(
  db: IamDb,
  owner: { kind: 'merchant' | 'funder'; id: string },
  id: string,
): Promise<ApiClientViewRow | undefined> {
  return db
    .selectFrom('api_clients')
    .select(apiClientColumns)
    .where('id', '=', id)
    .where('owner_kind', '=', owner.kind)
    .where('owner_id', '=', owner.id)
    .executeTakeFirst();
}

export async function findLiveApiClientByKeyId(db: IamDb, keyId: string) {
  return db
    .selectFrom('api_clients')
    .select(['id', 'owner_kind', 'owner_id', 'secret_enc'])
    .where('key_id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Records a nonce for its window; false when it was seen before (a replay). */
export async function recordRequestNonce(
  db: IamDb,
  nonce: { keyId: string; nonce: string; timestampSeconds: number; windowSeconds: number },
): Promise<boolean> {
  const recorded = await db
    .insertInto('request_nonces')
    .values({
      key_id: nonce.keyId,
      nonce: nonce.nonce,
      expires_at: sql<Date>`to_timestamp(${nonce.timestampSeconds}) + make_interval(secs => ${nonce.windowSeconds})`,
    })
    .onConflict((oc) => oc.columns(['key_id', 'nonce']).doNothing())
    .executeTakeFirst();
  return recorded.numInsertedOrUpdatedRows === 1n;
}

export async function markApiClientUsed(db: IamDb, id: string): Promise<void> {
  await db.updateTable('api_clients').set({ last_used_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

// ---- Housekeeping ----

export type PruneResult = {
  requestNonces: number;
  otpChallenges: number;
  spentRefreshTokens: number;
  borrowerSessions: number;
  staffSessions: number;
};

/** Deletes expired credentials: nonces, OTP challenges past retention, old sessions. */
export async function pruneExpiredCredentialRows(
  db: IamDb,
  retention: { otpChallengeHours: number; sessionDays: number },
): Promise<PruneResult> {
  const requestNonces = count(await sql`DELETE FROM request_nonces WHERE expires_at < now()`.execute(db));
  const otpChallenges = count(
    await sql`DELETE FROM borrower_otp_challenges
              WHERE expires_at < now() - make_interval(hours => ${retention.otpChallengeHours})`.execute(db),
  );
  // A spent refresh token matters only while its login could still be refreshed.
  const spentRefreshTokens = count(
    await sql`DELETE FROM borrower_spent_refresh_tokens t USING borrower_sessions s
              WHERE t.session_id = s.id AND s.refresh_expires_at < now()`.execute(db),
  );
  const borrowerSessions = count(
    await sql`DELETE FROM borrower_sessions s
              WHERE least(s.refresh_expires_at, coalesce(s.revoked_at, s.refresh_expires_at))
                    < now() - make_interval(days => ${retention.sessionDays})
                AND NOT EXISTS (SELECT 1 FROM borrower_spent_refresh_tokens t WHERE t.session_id = s.id)`.execute(
      db,
    ),
  );
  const staffSessions = count(
    await sql`DELETE FROM staff_sessions
              WHERE least(absolute_expires_at, coalesce(revoked_at, absolute_expires_at))
                    < now() - make_interval(days => ${retention.sessionDays})`.execute(db),
  );
  return { requestNonces, otpChallenges, spentRefreshTokens, borrowerSessions, staffSessions };
}
