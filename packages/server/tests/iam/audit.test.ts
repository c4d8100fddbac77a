import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, auditInstant, verifyAuditChain } from '../../src/modules/iam/audit.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

// The audit log is an HMAC chain: `fenqi audit verify` (the real CLI, in a child process) passes
// an untouched chain and names the first row changed behind the database guards.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fenqi, ...args], {
      env: { ...process.env, ...testKeys, DATABASE_URL: database.url, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function appendEvents(count: number): Promise<bigint[]> {
  const config = loadConfig({ ...testKeys, DATABASE_URL: database.url });
  const seqs: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const { seq } = await database.db.transaction().execute((trx) =>
      appendAudit(trx, config.secrets.auditKey, {
        actor: { kind: 'staff', id: `user-${i}` },
        action: 'test.event',
        subject: { type: 'thing', id: String(i) },
        origin: { ip: '10.0.0.1', requestId: `r${i}` },
        before: { amountMinor: '100', nested: { b: 2, a: 1 } },
        after: { amountMinor: '250', note: '中文 ok' },
        details: { i },
      }),
    );
    seqs.push(seq);
  }
  return seqs;
}

/** Changes a row the way an attacker with table access would: around the append-only trigger. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

describe('audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await appendEvents(1);
    for (const statement of [
      sql`UPDATE audit_log SET actor_id = 'x'`,
      sql`DELETE FROM audit_log`,
      sql`TRUNCATE audit_log`,
    ]) {
      await expect(statement.execute(database.db)).rejects.toThrow(/audit_log is append-only/);
    }
  });

  it('an untampered chain verifies (exit 0), and the CLI names the head', async () => {
    await appendEvents(5);
    const result = await runCli(['audit', 'verify']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const head = await database.tables
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const count = await database.tables
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .executeTakeFirstOrThrow();
    expect(result.stdout).toBe(
      `audit chain verified: ${count.n} rows, head seq ${head.seq} hash ${head.hash}\n`,
    );
  });

  it('a row whose content was changed makes `fenqi audit verify` fail (exit 1) naming that row', async () => {
    const seqs = await appendEvents(4);
    const victim = seqs[1] ?? 0n;
    await tamper(
      sql`UPDATE audit_log SET after = '{"amountMinor": "999999", "note": "中文 ok"}' WHERE seq = ${victim}`,
    );
    const result = await runCli(['audit', 'verify']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^audit chain BROKEN at row seq ${victim}: hash does not match the row content \\(the row was changed\\) \\(\\d+ rows before it verified\\)\\n$`,
      ),
    );
    // Rewriting the hash too does not help: it is an HMAC under a key the database does not hold.
    await tamper(
      sql`UPDATE audit_log SET hash = encode(sha256(convert_to(after::text, 'UTF8')), 'hex') WHERE seq = ${victim}`,
    );
    const again = await runCli(['audit', 'verify']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`BROKEN at row seq ${victim}:`);
    // Repair for the next test: drop the tampered rows and everything after (the guards are bypassed on purpose).
    await tamper(sql`DELETE FROM audit_log WHERE seq >= ${victim}`);
  });

  it('a change to a row’s time of a microsecond is detected (times are hashed to the microsecond)', async () => {
    const seqs = await appendEvents(3);
    const victim = seqs[1] ?? 0n;
    const stored = await sql<{ at: string }>`
      SELECT occurred_at::text AS at FROM audit_log WHERE seq = ANY (${seqs.map(String)}::int8[])`.execute(
      database.db,
    );
    // Appends take the database clock to the microsecond: rows appended within one millisecond
    // still get distinct instants.
    expect(new Set(stored.rows.map((row) => row.at)).size).toBe(3);
    const config = loadConfig({ ...testKeys, DATABASE_URL: database.url });
    expect(await verifyAuditChain(database.db, config.secrets.auditKey)).toMatchObject({ ok: true });
    await tamper(
      sql`UPDATE audit_log SET occurred_at = occurred_at + interval '1 microsecond' WHERE seq = ${victim}`,
    );
    expect(await verifyAuditChain(database.db, config.secrets.auditKey)).toMatchObject({
      ok: false,
      brokenSeq: String(victim),
      reason: 'hash does not match the row content (the row was changed)',
    });
    await tamper(sql`DELETE FROM audit_log WHERE seq >= ${victim}`);
  });

  it('an instant is written with milliseconds, and three more digits only when it has them', () => {
    expect(auditInstant(1_767_225_600_123_000n)).toBe('2026-01-01T00:00:00.123Z');
    expect(auditInstant(1_767_225_600_123_456n)).toBe('2026-01-01T00:00:00.123456Z');
    expect(auditInstant(1_767_225_600_000_001n)).toBe('2026-01-01T00:00:00.000001Z');
  });

  it('a deleted row is found at the row after it', async () => {
    const seqs = await appendEvents(3);
    await tamper(sql`DELETE FROM audit_log WHERE seq = ${seqs[1] ?? 0n}`);
    const config = loadConfig({ ...testKeys, DATABASE_URL: database.url });
    const result = await verifyAuditChain(database.db, config.secrets.auditKey, 2);
    expect(result).toMatchObject({
      ok: false,
      brokenSeq: String(seqs[2]),
      reason: 'prev_hash does not match the row before it (a row was changed or removed)',
    });
  });

  it('with another audit key nothing verifies: the first row is named', async () => {
    const first = await database.tables
      .selectFrom('audit_log')
      .select('seq')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirstOrThrow();
    const result = await runCli(['audit', 'verify'], {
      FENQI_AUDIT_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`BROKEN at row seq ${first.seq}:`);
  });
});
