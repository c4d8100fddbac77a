import { randomUUID } from 'node:crypto';
import { addDays, addMonths, type LoanTerms, type LocalDate, loanTerms, type Schedule } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { closeAccountsForDay } from '../../src/modules/servicing/service.ts';
import { setInitialBusinessDate } from '../../src/platform/business-date.ts';
import { copyField, copyRows } from '../../src/platform/copy.ts';
import type { DB, Tx } from '../../src/platform/db.ts';
import { type SeedOptions, seedLoan } from '../servicing/seed.ts';

// A loan book for close of business at scale (tests/cob and bench/cob.ts). A few dozen template
// loans of every method and state are seeded as real servicing accounts (tests/servicing/seed.ts)
// with start dates up to seven months before the open date, and every day since is closed with the
// real day close — so the overdue, non-accrual and written-off states are the ones close of
// business itself makes. Each template is then cloned with COPY under fresh ids until the book
// has the loans asked for: the clones are what a loan in that state looks like, row for row.

export type Template = {
  name: string;
  terms: LoanTerms;
  /** Share of the book, relative to the other templates. */
  weight: number;
  options?: SeedOptions;
};

const rate = (value: string) => new Decimal(value);
const shared = {
  shares: [
    { funderId: 'bank-a', shareBp: 3000 },
    { funderId: 'own', shareBp: 7000 },
  ],
};

/** A monthly loan whose first installment falls due on `due` (so its state on `open` follows). */
function fallingDueOn(due: LocalDate, method: LoanTerms['method'] = 'equal_installment', termCount = 12) {
  return { startDate: addDays(due, -30), firstDueDate: due, method, termCount };
}

/** The book's mix on open date `open`: mostly current loans, a few due today or soon, some overdue. */
export function portfolioTemplates(open: LocalDate): Template[] {
  const monthly = (
    name: string,
    weight: number,
    input: Partial<LoanTerms> & Pick<LoanTerms, 'startDate' | 'method' | 'termCount'>,
    options?: SeedOptions,
  ): Template => ({
    name,
    weight,
    terms: loanTerms({ principalMinor: 600_000n, annualRate: rate('0.18'), ...input }),
    ...(options === undefined ? {} : { options }),
  });
  return [
    // Current: mid-period, accruing.
    monthly('equal installment, day 5', 20, {
      startDate: addDays(open, -5),
      method: 'equal_installment',
      termCount: 12,
    }),
    monthly(
      'equal installment, shared 30/70',
      10,
      {
        startDate: addDays(open, -12),
        method: 'equal_installment',
        termCount: 12,
        principalMinor: 1_234_567n,
      },
      shared,
    ),
    monthly('equal principal', 10, {
      startDate: addDays(open, -20),
      method: 'equal_principal',
      termCount: 6,
      annualRate: rate('0.1234'),
    }),
    monthly('interest first, ACT/365', 8, {
      startDate: addDays(open, -25),
      method: 'interest_first',
      termCount: 3,
      annualRate: rate('0.15'),
      dayCount: 'ACT_365',
    }),
    monthly('flat fee', 8, {
      startDate: addDays(open, -8),
      method: 'flat_fee',
      termCount: 12,
      annualRate: rate('0'),
      periodFeeRate: rate('0.006'),
    }),
    monthly('daily rate (随借随还)', 8, {
      startDate: addDays(open, -10),
      method: 'daily',
      termCount: 1,
      annualRate: rate('0.1825'),
    }),
    monthly('bullet, 30 days', 4, {
      startDate: addDays(open, -15),
      method: 'bullet',
      termCount: 1,
      frequency: { kind: 'days', days: 30 },
    }),
    monthly(
      'cash basis',
      4,
      { startDate: addDays(open, -3), method: 'equal_installment', termCount: 6 },
      {
        postingBasis: 'cash',
      },
    ),
    // Due today, tomorrow, in three days.
    monthly('due today', 6, { startDate: addMonths(open, -1), method: 'equal_installment', termCount: 12 }),
    monthly('due today, shared', 3, { ...fallingDueOn(open, 'equal_principal', 3) }, shared),
    monthly('due today, second installment, first unpaid', 2, {
      startDate: addMonths(open, -2),
      method: 'flat_fee',
      termCount: 12,
      annualRate: rate('0'),
      periodFeeRate: rate('0.006'),
    }),
    monthly('due tomorrow', 2, fallingDueOn(addDays(open, 1))),
    monthly('due in three days', 2, fallingDueOn(addDays(open, 3))),
    // Overdue, by days past due on the open date before its close.
    monthly('1 DPD (in grace)', 2, fallingDueOn(addDays(open, -1))),
    monthly('3 DPD (overdue today)', 2, fallingDueOn(addDays(open, -4))),
    monthly('39 DPD (M2)', 1, fallingDueOn(addDays(open, -40), 'equal_principal', 6)),
    monthly('59 DPD, shared', 1, fallingDueOn(addDays(open, -60)), shared),
    monthly('89 DPD (non-accrual today)', 1, fallingDueOn(addDays(open, -90))),
    monthly('119 DPD (non-accrual)', 1, fallingDueOn(addDays(open, -120), 'interest_first', 6)),
    monthly('179 DPD (written off today)', 1, fallingDueOn(addDays(open, -180))),
  ];
}

export type SeededTemplate = Template & { loanId: string; schedule: Schedule; loans: number };
export type Portfolio = { open: LocalDate; loans: number; templates: SeededTemplate[] };

const everything = { from: '00000000-0000-0000-0000-000000000000', to: null };

/** How many loans of each template make `loans` in all (at least one each; the rest to the first). */
function counts(templates: readonly Template[], loans: number): number[] {
  const weights = templates.reduce((sum, t) => sum + t.weight, 0);
  const each = templates.map((t) => Math.max(1, Math.floor((loans * t.weight) / weights)));
  const first = each[0] ?? 0;
  each[0] = first + Math.max(0, loans - each.reduce((sum, n) => sum + n, 0));
  return each;
}

type CloneTable = {
  table: 'loans' | 'servicing_accounts' | 'servicing_installments' | 'servicing_funder_shares';
  key: string;
  /** The values a clone gets instead of its template's. */
  overrides: (clone: Clone) => Record<string, string>;
};

type Clone = { loanId: string; loanNo: string; customerId: string };

const cloneTables: CloneTable[] = [
  {
    table: 'loans',
    key: 'id',
    overrides: (c) => ({
      id: c.loanId,
      loan_no: c.loanNo,
      contract_no: `C-${c.loanNo}`,
      customer_id: c.customerId,
    }),
  },
  {
    table: 'servicing_accounts',
    key: 'loan_id',
    overrides: (c) => ({ loan_id: c.loanId, loan_no: c.loanNo, customer_id: c.customerId }),
  },
  { table: 'servicing_installments', key: 'loan_id', overrides: (c) => ({ loan_id: c.loanId }) },
  { table: 'servicing_funder_shares', key: 'loan_id', overrides: (c) => ({ loan_id: c.loanId }) },
];

async function columnsOf(trx: Tx, table: string): Promise<string[]> {
  const result = await sql<{ column_name: string }>`
    SELECT column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = ${table} ORDER BY ordinal_position`.execute(trx);
  return result.rows.map((row) => row.column_name);
}

/** Every template row of `table`, each column as text (exact: numeric and bytea included). */
async function templateRows(
  trx: Tx,
  spec: CloneTable,
  columns: readonly string[],
  loanIds: readonly string[],
): Promise<Map<string, Record<string, string | null>[]>> {
  const list = sql.raw(columns.map((c) => `${c}::text AS ${c}`).join(', '));
  const result = await sql<Record<string, string | null>>`
    SELECT ${list} FROM ${sql.table(spec.table)} WHERE ${sql.ref(spec.key)} = ANY (${loanIds as string[]}::uuid[])`.execute(
    trx,
  );
  const byLoan = new Map<string, Record<string, string | null>[]>();
  for (const row of result.rows) {
    const id = String(row[spec.key]);
    byLoan.set(id, [...(byLoan.get(id) ?? []), row]);
  }
  return byLoan;
}

function* cloneLines(
  clones: readonly { clone: Clone; template: string }[],
  columns: readonly string[],
  spec: CloneTable,
  rows: Map<string, Record<string, string | null>[]>,
): Generator<string> {
  for (const { clone, template } of clones) {
    const overrides = spec.overrides(clone);
    for (const row of rows.get(template) ?? []) {
      yield `${columns.map((c) => copyField(overrides[c] ?? row[c])).join('\t')}\n`;
    }
  }
}

let serial = 0;

/** Copies of template loans (their loans row and servicing account as they are now) under new ids. */
export async function cloneLoans(
  db: DB,
  wanted: readonly { template: string; count: number }[],
): Promise<string[]> {
  const clones: { clone: Clone; template: string }[] = [];
  for (const { template, count } of wanted) {
    for (let i = 0; i < count; i += 1) {
      serial += 1;
      // Unique across the processes seeding one database: pid and serial, five base-36 digits each.
      const tag =
        `${process.pid.toString(36).padStart(5, '0')}${serial.toString(36).padStart(5, '0')}`.toUpperCase();
      const clone = { loanId: randomUUID(), loanNo: `L20990101${tag}`, customerId: randomUUID() };
      clones.push({ clone, template });
    }
  }
  await db.transaction().execute(async (trx) => {
    for (const spec of cloneTables) {
      const columns = await columnsOf(trx, spec.table);
      const rows = await templateRows(trx, spec, columns, [...new Set(wanted.map((w) => w.template))]);
      await copyRows(
        trx,
        `COPY ${spec.table} (${columns.join(', ')}) FROM STDIN`,
        cloneLines(clones, columns, spec, rows),
      );
    }
  });
  return clones.map((c) => c.clone.loanId);
}

/**
 * Seeds the book on a fresh database: the business date becomes `open`, the templates are seeded
 * and closed day by day up to the day before `open`, then cloned to `loans` accounts in all.
 */
export async function seedPortfolio(
  db: DB,
  options: { open: LocalDate; loans: number; log?: (line: string) => void },
): Promise<Portfolio> {
  const set = await db.transaction().execute((trx) => setInitialBusinessDate(trx, options.open));
  if (!set.ok) throw new Error(`cannot set the business date: ${set.reason}`);
  const templates = portfolioTemplates(options.open);
  const seeded: SeededTemplate[] = [];
  const wanted = counts(templates, options.loans);
  for (const [index, template] of templates.entries()) {
    const loan = await seedLoan(db, template.terms, template.options);
    seeded.push({ ...template, loanId: loan.loanId, schedule: loan.schedule, loans: wanted[index] ?? 1 });
  }
  // Every day from the earliest start to the day before `open`, booked on `open` (as inline catch-up does).
  const first = templates.map((t) => t.terms.startDate).sort()[0] ?? options.open;
  for (let day = first; day < options.open; day = addDays(day, 1)) {
    await db
      .transaction()
      .execute((trx) => closeAccountsForDay(trx, day, { ...everything, key: 'seed' }, options.open));
  }
  options.log?.(
    `seeded ${templates.length} template loans, closed from ${first} to ${addDays(options.open, -1)}`,
  );
  await cloneLoans(
    db,
    seeded.map((template) => ({ template: template.loanId, count: template.loans - 1 })),
  );
  await sql`VACUUM (ANALYZE) loans, servicing_accounts, servicing_installments, servicing_funder_shares`.execute(
    db,
  );
  return { open: options.open, loans: wanted.reduce((sum, n) => sum + n, 0), templates: seeded };
}
