import type { Config } from '../../../platform/config.ts';
import type { DB, Tx } from '../../../platform/db.ts';
import { AppError, type FieldError } from '../../../platform/errors.ts';
import type { Origin } from '../../../platform/http/origin.ts';
import type { Logger } from '../../../platform/logger.ts';
import { type AuditEvent, appendAudit } from '../../iam/service.ts';
import type { SimRule } from './simulated.ts';
import * as store from './store.ts';
import { realNameVerifierFor } from './verifier.ts';

// Asking the identity register, and what its answers mean for a request. Only a match goes on
// (and is recorded, by the caller, with the change it allows); a refusal is a problem and the
// request writes nothing, so the log line below is the only trace of it — with ids and the
// provider's reference, never the name or ID number.

/** How long a client should wait before asking again after the register did not answer. */
export const realNameRetryAfterSeconds = 30;

export type RealNameMatch = { adapter: string; providerRef: string; checkedAt: Date };

type Refusal = Pick<Logger, 'warn' | 'error'>;

function fieldErrors(fields: 'body' | 'stored', errors: FieldError[]): { errors?: FieldError[] } {
  return fields === 'body' ? { errors } : {};
}

/**
 * Outside any transaction: asks the configured provider whether `name` holds `idNumber`. `fields`
 * says whether they came in the request body (the problem then names them) or from the profile.
 */
export async function verifyRealName(
  db: DB,
  config: Config,
  log: Refusal,
  query: { borrowerId: string; name: string; idNumber: string; fields: 'body' | 'stored' },
): Promise<RealNameMatch> {
  const verifier = realNameVerifierFor(config, db);
  let answer: Awaited<ReturnType<typeof verifier.verify>>;
  try {
    answer = await verifier.verify({ name: query.name, idNumber: query.idNumber });
  } catch (error) {
    log.error(
      { err: error, borrowerId: query.borrowerId, adapter: verifier.adapter },
      'real-name provider failed',
    );
    answer = { outcome: 'unavailable', providerRef: null };
  }
  if (answer.outcome === 'match' && answer.providerRef !== null)
    return { adapter: verifier.adapter, providerRef: answer.providerRef, checkedAt: new Date() };
  log.warn(
    {
      kyc: 'real-name',
      borrowerId: query.borrowerId,
      adapter: verifier.adapter,
      outcome: answer.outcome,
      providerRef: answer.providerRef,
    },
    'real-name verification refused',
  );
  switch (answer.outcome) {
    case 'mismatch':
      throw new AppError(
        'real_name_mismatch',
        'The identity register says this name is not the holder of this ID number (不一致). Check both as written on the ID card.',
        fieldErrors(query.fields, [
          {
            in: 'body',
            path: 'name',
            message: 'is not the name the register holds for idNumber',
            code: 'mismatch',
          },
          { in: 'body', path: 'idNumber', message: 'does not belong to the name given', code: 'mismatch' },
        ]),
      );
    case 'not_found':
      throw new AppError(
        'real_name_not_found',
        'The identity register has no such ID number (库中无此号). Check it as written on the ID card.',
        fieldErrors(query.fields, [
          { in: 'body', path: 'idNumber', message: 'is not in the identity register', code: 'not_found' },
        ]),
      );
    default:
      throw new AppError(
        'real_name_unavailable',
        `Real-name verification cannot be done right now; nothing was recorded. Retry in ${realNameRetryAfterSeconds} seconds.`,
        { extensions: { retryAfterSeconds: realNameRetryAfterSeconds } },
      );
  }
}

/** In the transaction of the change the match allowed: the record of the check (no personal data). */
export async function recordRealNameCheck(
  trx: Tx,
  customerId: string,
  match: RealNameMatch & { id: string },
): Promise<void> {
  await store.insertCheck(trx, {
    id: match.id,
    customer_id: customerId,
    adapter: match.adapter,
    outcome: 'match',
    provider_ref: match.providerRef,
    checked_at: match.checkedAt,
  });
}

// The simulated provider's rules, for staff with customers:simulate. They exist only where the
// simulated adapter is configured: elsewhere the endpoints answer 404, as for any missing thing.

function requireSimulated(config: Config): void {
  if (config.realNameAdapter !== 'simulated')
    throw new AppError(
      'not_found',
      `There is no real-name simulator here: REAL_NAME_ADAPTER is ${config.realNameAdapter}.`,
    );
}

export async function simRules(db: DB, config: Config): Promise<{ rules: SimRule[] }> {
  requireSimulated(config);
  return { rules: await store.simRules(db) };
}

export async function replaceSimRules(
  trx: Tx,
  config: Config,
  input: { rules: SimRule[]; actor: AuditEvent['actor']; origin: Origin },
): Promise<{ rules: SimRule[] }> {
  requireSimulated(config);
  const before = await store.simRules(trx);
  await store.replaceSimRules(trx, input.rules);
  await appendAudit(trx, config.secrets.auditKey, {
    actor: input.actor,
    action: 'customers.real-name-sim-rules-replaced',
    subject: { type: 'real-name-simulator', id: 'rules' },
    origin: input.origin,
    before,
    after: input.rules,
  });
  return { rules: input.rules };
}
