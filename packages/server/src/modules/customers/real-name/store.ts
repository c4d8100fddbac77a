import { type Insertable, sql } from 'kysely';
import type { CustomersDb, CustomersTx, RealNameCheckTable } from '../tables.ts';
import type { SimRule } from './simulated.ts';

// The SQL of real-name verification: the checks that made customers real_name, and the simulated
// provider's rules (a list kept in order by position).

export async function insertCheck(trx: CustomersTx, row: Insertable<RealNameCheckTable>): Promise<void> {
  await trx.insertInto('customer_real_name_checks').values(row).execute();
}

export async function simRules(db: CustomersDb): Promise<SimRule[]> {
  const rows = await db.selectFrom('customer_real_name_sim_rules').selectAll().orderBy('position').execute();
  return rows.map((row) => ({
    match: {
      ...(row.name_contains === null ? {} : { nameContains: row.name_contains }),
      ...(row.id_number_suffix === null ? {} : { idNumberSuffix: row.id_number_suffix }),
    },
    outcome: row.outcome,
  }));
}

/** Replaces the whole list. The lock orders concurrent replacements: the later one sees and replaces the earlier whole. */
export async function replaceSimRules(trx: CustomersTx, rules: readonly SimRule[]): Promise<void> {
  await sql`LOCK TABLE customer_real_name_sim_rules IN EXCLUSIVE MODE`.execute(trx);
  await trx.deleteFrom('customer_real_name_sim_rules').execute();
  if (rules.length === 0) return;
  await trx
    .insertInto('customer_real_name_sim_rules')
    .values(
      rules.map((rule, index) => ({
        position: index + 1,
        name_contains: rule.match.nameContains ?? null,
        id_number_suffix: rule.match.idNumberSuffix ?? null,
        outcome: rule.outcome,
      })),
    )
    .execute();
}
