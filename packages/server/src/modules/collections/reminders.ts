import {
  addDays,
  type DelinquencyBucket,
  localClock,
  localDate,
  type StrategyDefinition,
  selectStrategyRule,
  stepsDue,
} from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB } from '../../platform/db.ts';
import type { Services } from '../../platform/services.ts';
import { enqueueNotification } from '../notifications/service.ts';
import { c, systemActor } from './cases.ts';
import { recordContactAttempt, targetsOfCustomer } from './contacts.ts';
import { systemScope } from './scope.ts';
import type { CaseRow } from './tables.ts';

// The automated steps of a strategy: a case whose rule has an `sms_reminder` step reached at its
// days past due gets that reminder, once per step. It is an attempt like an agent's — checked by
// the same conduct rules (quiet hours, the debtor's own valid number, do-not-contact) and logged,
// a refused one with its rule — and the SMS itself is sent by notifications in the attempt's
// transaction, to the debtor's own phone only (a contact person is never sent a reminder). The
// latest step reached is the one sent: a case that skipped days (it opened at 10 DPD) is not sent
// every earlier step at once. Agent calls are worked from the queues; AI voice steps are left to
// the dialer, which reports each attempt through the contacts API (docs/collections.md).

export const reminderAgentId = 'system:collections-strategy';

export type RemindersRun = { cases: number; sent: number; refused: number; skipped: number };

const batchCasesMax = 500;

async function casesAfter(db: DB, after: string, limit: number): Promise<CaseRow[]> {
  return c(db)
    .selectFrom('collections_cases')
    .selectAll()
    .where('state', 'not in', ['resolved', 'written_off'])
    .where('strategy_code', 'is not', null)
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}

async function definitionOf(db: DB, code: string, version: number): Promise<StrategyDefinition | undefined> {
  const row = await c(db)
    .selectFrom('collections_strategies')
    .select('definition')
    .where('code', '=', code)
    .where('version', '=', version)
    .executeTakeFirst();
  return row?.definition as StrategyDefinition | undefined;
}

async function alreadyReminded(db: DB, caseId: string, stepKey: string): Promise<boolean> {
  // Through the case's index: the key's prefix alone would not use the unique index on request_key.
  const found = await c(db)
    .selectFrom('collections_contact_attempts')
    .select('id')
    .where('case_id', '=', caseId)
    .where('request_key', 'like', `${stepKey}:%`)
    .where('outcome', '<>', 'refused')
    .executeTakeFirst();
  return found !== undefined;
}

/** Sends the reminders due now (wall clock `now`, for the conduct rules) to every open case. */
export async function sendDueReminders(services: Services, now: Date): Promise<RemindersRun> {
  const { db } = services;
  const run: RemindersRun = { cases: 0, sent: 0, refused: 0, skipped: 0 };
  const closedThrough = addDays(localDate(await getBusinessDate(db)), -1);
  const definitions = new Map<string, StrategyDefinition | undefined>();
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const cases = await casesAfter(db, after, batchCasesMax);
    if (cases.length === 0) return run;
    after = cases.at(-1)?.id ?? after;
    for (const row of cases) {
      run.cases += 1;
      const key = `${row.strategy_code}@${row.strategy_version}`;
      if (!definitions.has(key))
        definitions.set(key, await definitionOf(db, row.strategy_code ?? '', row.strategy_version ?? 0));
      const definition = definitions.get(key);
      const rule =
        definition === undefined
          ? undefined
          : selectStrategyRule(definition, {
              bucket: row.bucket as DelinquencyBucket,
              productCode: row.product_code,
              overdueMinor: row.overdue_minor,
            });
      const step = rule === undefined ? undefined : stepsDue(rule, row.dpd).at(-1);
      if (step?.action !== 'sms_reminder') continue;
      const target = (await targetsOfCustomer(db, row.customer_id)).find(
        (t) => t.role === 'debtor' && t.status === 'valid' && !t.do_not_contact,
      );
      if (target === undefined) {
        run.skipped += 1;
        continue;
      }
      // One reminder per case, step and overdue spell (the spell began dpd days before the close).
      const since = addDays(closedThrough, -row.dpd);
      const stepKey = `${reminderAgentId}:${row.id}:${since}:${step.dpdFrom}`;
      if (await alreadyReminded(db, row.id, stepKey)) continue;
      // A refused reminder (quiet hours) is tried again on a later run, once per local day.
      const requestKey = `${stepKey}:${localClock(now, row.time_zone).date}`;
      const recorded = await recordContactAttempt(db, systemScope(reminderAgentId), {
        caseId: row.id,
        targetId: target.id,
        channel: 'sms',
        outcome: 'sent',
        note: `strategy ${key} step ${step.dpdFrom} DPD: SMS reminder`,
        agentId: reminderAgentId,
        actor: systemActor,
        now,
        requestKey,
        onAllowed: async (trx, attempt) => {
          await enqueueNotification(trx, {
            dedupeKey: `collections-reminder:${attempt.id}`,
            template: 'overdue',
            customerId: row.customer_id,
            variables: { dpd: String(row.dpd), overdueSince: since, timeZone: row.time_zone },
            now,
          });
        },
      });
      if (recorded.decision === null) continue;
      if (recorded.decision.allowed) run.sent += 1;
      else run.refused += 1;
    }
  }
}
