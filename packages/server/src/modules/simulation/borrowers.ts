import { AppError } from '../../platform/errors.ts';
import { findLine } from '../credit/service.ts';
import {
  acceptAgreement,
  agreementsFor,
  bindCard,
  prepareRegistration,
  registerCustomer,
} from '../customers/service.ts';
import { type BorrowerScope, borrowerScope, requestOtp, verifyOtpAndLogin } from '../iam/service.ts';
import {
  applyForBinding,
  confirmWithChannel,
  recordBindingApplication,
  recordBindingConfirmation,
} from '../payments/service.ts';
import { submitApplication } from '../risk/service.ts';
import { command, type SimulationContext } from './context.ts';
import type { Profile } from './profiles.ts';

// A borrower's own steps, as the app would take them for the person: sign in by SMS code, accept
// the privacy policy, register name and ID number (real-name checked), bind a debit card through
// the channel (four elements, the SMS code the channel sends, the confirmation), accept the bureau
// query authorisation and apply for credit. Each step is the service call its route makes.

export type BorrowerState = {
  profile: Profile;
  borrowerId: string | null;
  customerId: string | null;
  scope: BorrowerScope | null;
  cardId: string | null;
  agreementId: string | null;
  applicationId: string | null;
  status: 'new' | 'review' | 'approved' | 'rejected';
  lineId: string | null;
  products: string[];
  /** Days (0 = the first) on which the card holds no money: debits fail; Infinity: for good. */
  emptyUntil: number;
  defaulted: boolean;
  /** The next day they buy something, if any. */
  nextPurchaseDay: number | null;
  purchases: number;
  loans: string[];
};

export function newBorrower(profile: Profile): BorrowerState {
  return {
    profile,
    borrowerId: null,
    customerId: null,
    scope: null,
    cardId: null,
    agreementId: null,
    applicationId: null,
    status: 'new',
    lineId: null,
    products: [],
    emptyUntil: 0,
    defaulted: false,
    nextPurchaseDay: null,
    purchases: 0,
    loans: [],
  };
}

function scopeOf(b: BorrowerState): BorrowerScope {
  if (b.scope === null) throw new Error(`borrower ${b.profile.index} has not signed in`);
  return b.scope;
}

/** The borrower's origin as their phone would send it (a client IP of their own). */
function originOf(b: BorrowerState) {
  const i = b.profile.index;
  return {
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    requestId: null,
    userAgent: 'FenqiApp/3.2',
  };
}

/** Accepts the current version of each agreement not currently accepted. */
export async function acceptConsents(
  context: SimulationContext,
  b: BorrowerState,
  codes: readonly string[],
): Promise<void> {
  const scope = scopeOf(b);
  const listed = await agreementsFor(context.db, scope);
  for (const code of codes) {
    const agreement = listed.find((a) => a.code === code);
    if (agreement === undefined) throw new Error(`there is no agreement ${code}`);
    if (agreement.status === 'current') continue;
    await command(context.db, (trx) =>
      acceptAgreement(trx, scope, {
        code,
        version: agreement.version,
        deviceId: b.profile.deviceId,
        origin: originOf(b),
      }),
    );
  }
}

/** Sign-in by SMS code (the account is made on the first one), privacy policy, registration. */
export async function signUp(context: SimulationContext, b: BorrowerState): Promise<void> {
  const { db, config } = context;
  const p = b.profile;
  let code = '';
  await requestOtp(
    db,
    config,
    {
      async sendLoginCode(_phone, sent) {
        code = sent;
      },
    },
    { phone: p.phone, origin: { ...originOf(b), ip: originOf(b).ip } },
  );
  const tokens = await verifyOtpAndLogin(db, config, { phone: p.phone, code, origin: originOf(b) });
  b.borrowerId = tokens.borrowerId;
  b.scope = borrowerScope({ kind: 'borrower', id: tokens.borrowerId });
  await acceptConsents(context, b, ['privacy_policy']);
  const scope = scopeOf(b);
  const log = context.services.logger;
  const verified = await prepareRegistration(db, config, scope, { name: p.name, idNumber: p.idNumber }, log);
  const customer = await command(db, (trx) =>
    registerCustomer(trx, config, scope, {
      name: p.name,
      idNumber: p.idNumber,
      verified,
      origin: originOf(b),
    }),
  );
  b.customerId = customer.id;
}

/** Registers the debit card and binds it through the channel for repayments (代扣). */
export async function bindDebitCard(context: SimulationContext, b: BorrowerState): Promise<void> {
  if (b.agreementId !== null) return;
  const { db, config } = context;
  const scope = scopeOf(b);
  const customerId = b.customerId;
  if (customerId === null) throw new Error('bind a card after registering');
  if (b.cardId === null) {
    const card = await command(db, (trx) =>
      bindCard(trx, config, scope, customerId, {
        cardNumber: b.profile.cardNumber,
        bankName: b.profile.bankName,
        origin: originOf(b),
      }),
    );
    b.cardId = card.id;
  }
  const cardId = b.cardId;
  await acceptConsents(context, b, ['card_debit_authorization']);
  const channel = config.payments.channels[0]?.code ?? 'simulated';
  const applied = await applyForBinding(db, config, scope, { cardId, channel, origin: originOf(b) });
  const binding = await command(db, (trx) => recordBindingApplication(trx, applied));
  const smsCode = await context.channel.smsCode(applied.orderNo);
  const confirmation = await confirmWithChannel(db, config, scope, { bindingId: binding.id, smsCode });
  const bound = await command(db, (trx) => recordBindingConfirmation(trx, config, scope, confirmation));
  b.agreementId = bound.agreement.id;
}

export type ApplicationOutcome = 'approved' | 'review' | 'rejected' | 'refused';

/** The credit application: the vendor's data is bought first (the route's prepare step does so). */
export async function applyForCredit(
  context: SimulationContext,
  b: BorrowerState,
): Promise<ApplicationOutcome> {
  const customerId = b.customerId;
  if (customerId === null) throw new Error('apply after registering');
  await acceptConsents(context, b, ['credit_bureau_query']);
  try {
    const decided = await command(context.db, (trx) =>
      submitApplication(trx, context.config, {
        customerId,
        deviceId: b.profile.deviceId,
        external: b.profile.external,
      }),
    );
    b.applicationId = decided.id;
    if (decided.status === 'approved') {
      await lineGranted(context, b, decided.lineId);
      return 'approved';
    }
    b.status = decided.status === 'in_review' ? 'review' : 'rejected';
    return b.status === 'review' ? 'review' : 'rejected';
  } catch (error) {
    // Outside the policy's age window: the application is not made at all.
    if (error instanceof AppError && error.code === 'age_out_of_window') {
      b.status = 'rejected';
      return 'refused';
    }
    throw error;
  }
}

export async function lineGranted(
  context: SimulationContext,
  b: BorrowerState,
  lineId: string | null,
): Promise<void> {
  if (lineId === null) throw new Error('an approved application without a line');
  const line = await findLine(context.db, lineId);
  b.status = 'approved';
  b.lineId = lineId;
  b.products = line.productCodes;
}

export async function availableOnLine(context: SimulationContext, b: BorrowerState): Promise<bigint> {
  if (b.lineId === null) return 0n;
  const line = await findLine(context.db, b.lineId);
  return line.status === 'active' ? line.availableMinor : 0n;
}
