// Credit-bureau month-end benchmark: the month-end generation (a 30 record for every loan) over N
// loans (default 1,000,000), next to a baseline measured in the same run on the same data, and the
// submission file of those records.
//
//   node bench/bureau.ts                   (DATABASE_URL's server if set, else an embedded PostgreSQL)
//   node bench/bureau.ts --loans 20000
//
// The book is close of business's (tests/cob/portfolio.ts: current, due, 1–179 days past due,
// written off) with the open business date 2026-07-01, so 2026-06-30 — the day every account is
// closed through — is the month end the generation reports.
//   baseline    the same set-based read of servicing's figures (bureau-figures.ts, keyset pages
//               of 5,000 loans), nothing built or written: what the figures cost at the least;
//   generation  monthEndRecords: the same pages, each loan's 30 record built and validated with
//               core, the negative-information notices enqueued for the overdue loans (their first
//               negative record: held), records, grids and ended behaviour written set-based;
//   file        createSubmission of the month end's pending records (identities stubbed: the
//               seeded loans have no customer profiles, and decrypting a million names is
//               customers' cost, not the format's), chunked, with its SHA-256.
// Printed: elapsed and records/s of each, the ratio of the generation to the baseline, the file's
// size and digest, the peak RSS.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { LocalDate } from '../packages/core/src/index.ts';
import { monthEndRecords } from '../packages/server/src/modules/bureau/generation.ts';
import { createSubmission } from '../packages/server/src/modules/bureau/submissions.ts';
import { bureauFiguresPage } from '../packages/server/src/modules/servicing/bureau-figures.ts';
import type { Config } from '../packages/server/src/platform/config.ts';
import { createDb, createPool } from '../packages/server/src/platform/db.ts';
import { createLogger } from '../packages/server/src/platform/logger.ts';
import type { Services } from '../packages/server/src/platform/services.ts';
import { seedPortfolio } from '../packages/server/tests/cob/portfolio.ts';
import { scratchDatabase } from './support/database.ts';

const { values } = parseArgs({ options: { loans: { type: 'string' } } });
const loans = Number(values.loans ?? 1_000_000);
if (!Number.isInteger(loans) || loans < 100)
  throw new Error('--loans must be a whole number of at least 100');
const open = '2026-07-01' as LocalDate;
const monthEnd = '2026-06-30';
const pageSize = 5000;

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const scratch = await scratchDatabase('bureau');
  try {
    console.log(`credit-bureau month-end bench — ${fmt(loans)} loans; ${scratch.server}`);
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const pool = createPool({ connectionString: scratch.url, max: 4 });
    const db = createDb(pool);
    const loadStarted = performance.now();
    const book = await seedPortfolio(db, {
      open,
      loans,
      log: (line) => console.log(`  ${line} (${seconds(performance.now() - loadStarted)})`),
    });
    await sql`VACUUM ANALYZE`.execute(db);
    console.log(`load: ${seconds(performance.now() - loadStarted)} for ${fmt(book.loans)} loans`);

    // Baseline: the figures alone, page by page.
    let started = performance.now();
    let read = 0;
    let after: string | null = null;
    for (;;) {
      const page = await bureauFiguresPage(db, { asOf: monthEnd, after, limit: pageSize });
      if (page.length === 0) break;
      read += page.length;
      after = page.at(-1)?.loanId ?? null;
    }
    const baselineMs = performance.now() - started;

    const services: Services = {
      config: {} as Config,
      db,
      logger: createLogger({ logLevel: 'silent' }),
    };
    started = performance.now();
    const generated = await monthEndRecords(services, {
      monthEnd,
      generatedOn: open,
      now: new Date('2026-07-01T02:00:00Z'),
      pageSize,
    });
    const generationMs = performance.now() - started;
    if (generated.records !== read)
      throw new Error(`generated ${generated.records} records for ${read} loans`);

    // The file: what is pending (the held negative records wait for their notices).
    started = performance.now();
    const submission = await db.transaction().execute((trx) =>
      createSubmission(trx, {
        scope: { from: monthEnd, to: monthEnd },
        actor: 'bench',
        identities: async (_trx, ids) =>
          new Map(ids.map((id) => [id, { name: '测试用户', idType: '10', idNum: '11010519491231002X' }])),
      }),
    );
    const fileMs = performance.now() - started;
    const sizes = await sql<{ records: string; chunks: string; db: string }>`
      SELECT pg_size_pretty(pg_total_relation_size('bureau_records')) AS records,
             pg_size_pretty(pg_total_relation_size('bureau_submission_chunks')) AS chunks,
             pg_size_pretty(pg_database_size(current_database())) AS db`.execute(db);
    await db.destroy();

    console.log('');
    console.log(
      `baseline (set-based read of the figures, ${fmt(read)} loans): ${seconds(baselineMs)}  ${fmt((read * 1000) / baselineMs)} loans/s`,
    );
    console.log(
      `month-end generation: ${fmt(generated.records)} records (${fmt(generated.held)} held for a notice, ${fmt(generated.invalid)} invalid) in ${seconds(generationMs)}  ${fmt((generated.records * 1000) / generationMs)} records/s; ${(generationMs / baselineMs).toFixed(2)} × the baseline`,
    );
    console.log(
      `submission file: ${fmt(submission.records)} records, ${mb(submission.bytes)} (${fmt(submission.bytes / Math.max(1, submission.records))} bytes a record), ${seconds(fileMs)}  ${fmt((submission.records * 1000) / fileMs)} records/s; sha256 ${submission.digest}; ${submission.excluded.length} excluded`,
    );
    console.log(
      `storage: bureau_records ${sizes.rows[0]?.records}, file chunks ${sizes.rows[0]?.chunks}, database ${sizes.rows[0]?.db}`,
    );
    console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await scratch.drop();
  }
}

await main();
