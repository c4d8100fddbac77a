import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import type { JournalEntryInput, JournalLineInput, LineDimensions } from './journal.ts';

// Posting rules: a declarative map from a business event to the journal lines it posts. An event
// carries amounts by component (principal, interest, …); each component of each event type names
// the account to debit and the account to credit, or `null` when the basis books nothing for it
// (cash basis recognises interest when it is paid, so an accrual posts nothing). A component that
// the map does not list is refused rather than dropped: money never silently disappears.
// Products choose a basis and may override single components (docs/ledger.md lists the map).

export const postingEventTypes = [
  'disbursement',
  'merchant_settlement',
  'repayment',
  'accrual',
  'penalty_accrual',
  'fee_charge',
  'write_off',
  'refund',
] as const;

export type PostingEventType = (typeof postingEventTypes)[number];
export type PostingBasis = 'accrual' | 'cash';

/** An account code, or `@channel`: the clearing account of the event's payment channel. */
export type AccountRef = string;
export type ComponentRule = { debit: AccountRef; credit: AccountRef } | null;
export type EventRule = Readonly<Record<string, ComponentRule>>;
export type RuleBook = {
  basis: PostingBasis;
  /** Payment channel → its clearing account code. */
  channels: Readonly<Record<string, string>>;
  events: Readonly<Record<PostingEventType, EventRule>>;
};

export const channelRef = '@channel';

export const defaultChannels: Readonly<Record<string, string>> = {
  simulated: '1012.01',
  unionpay: '1012.02',
};

const accrualEvents: Record<PostingEventType, EventRule> = {
  // A POS loan pays the merchant: the principal is owed to the merchant until settlement, and a
  // merchant-subsidised (贴息) promotion is deducted from what the merchant receives. An up-front
  // fee is kept out of the payout too: it is income the day the loan is disbursed (on either
  // basis: it was received, as a deduction, in cash).
  disbursement: {
    principal: { debit: '1301', credit: '2202' },
    merchantDiscount: { debit: '2202', credit: '6041' },
    upfrontFee: { debit: '2202', credit: '6021' },
  },
  merchant_settlement: { amount: { debit: '2202', credit: channelRef } },
  repayment: {
    principal: { debit: channelRef, credit: '1301' },
    interest: { debit: channelRef, credit: '1132' },
    fee: { debit: channelRef, credit: '1133' },
    penalty: { debit: channelRef, credit: '1134' },
    overpayment: { debit: channelRef, credit: '2241' },
  },
  accrual: { interest: { debit: '1132', credit: '6011' } },
  penalty_accrual: { penalty: { debit: '1134', credit: '6031' } },
  fee_charge: { fee: { debit: '1133', credit: '6021' } },
  write_off: {
    principal: { debit: '6702', credit: '1301' },
    interest: { debit: '6702', credit: '1132' },
    fee: { debit: '6702', credit: '1133' },
    penalty: { debit: '6702', credit: '1134' },
  },
  // Order cancelled (退货): the merchant returns the principal, accrued charges are cancelled, and
  // a borrower's overpayment is paid back out.
  refund: {
    principal: { debit: channelRef, credit: '1301' },
    interest: { debit: '6011', credit: '1132' },
    fee: { debit: '6021', credit: '1133' },
    borrowerRefund: { debit: '2241', credit: channelRef },
    // A loan undone in its cooling-off days: the discount and the up-front fee kept at
    // disbursement are given back, so the merchant returns only what it was paid.
    merchantDiscount: { debit: '6041', credit: channelRef },
    upfrontFee: { debit: '6021', credit: channelRef },
  },
};

// Cash basis: income is recognised when cash arrives, so nothing is accrued and a repayment
// credits income directly.
const cashEvents: Record<PostingEventType, EventRule> = {
  ...accrualEvents,
  repayment: {
    principal: { debit: channelRef, credit: '1301' },
    interest: { debit: channelRef, credit: '6011' },
    fee: { debit: channelRef, credit: '6021' },
    penalty: { debit: channelRef, credit: '6031' },
    overpayment: { debit: channelRef, credit: '2241' },
  },
  accrual: { interest: null },
  penalty_accrual: { penalty: null },
  fee_charge: { fee: null },
  write_off: { principal: { debit: '6702', credit: '1301' }, interest: null, fee: null, penalty: null },
  refund: {
    principal: { debit: channelRef, credit: '1301' },
    interest: null,
    fee: null,
    borrowerRefund: { debit: '2241', credit: channelRef },
    merchantDiscount: { debit: '6041', credit: channelRef },
    upfrontFee: { debit: '6021', credit: channelRef },
  },
};

export const defaultRuleBooks: Readonly<Record<PostingBasis, RuleBook>> = {
  accrual: { basis: 'accrual', channels: defaultChannels, events: accrualEvents },
  cash: { basis: 'cash', channels: defaultChannels, events: cashEvents },
};

const accountCode = z
  .string()
  .regex(/^(@channel|[0-9A-Za-z][0-9A-Za-z._-]{0,39})$/, 'must be an account code or @channel');
const componentName = z.string().regex(/^[a-z][A-Za-z0-9]{0,39}$/, 'must be a camelCase component name');

/** A product's posting configuration: its basis and the components that differ from the default map. */
export const productPostingSchema = z
  .object({
    basis: z.enum(['accrual', 'cash']),
    channels: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
        accountCode.refine((c) => c !== channelRef),
      )
      .optional(),
    events: z
      .partialRecord(
        z.enum(postingEventTypes),
        z.record(componentName, z.object({ debit: accountCode, credit: accountCode }).nullable()),
      )
      .optional(),
  })
  .strict()
  .meta({ id: 'ProductPosting' });

export type ProductPosting = z.output<typeof productPostingSchema>;

/** The default map for the basis with the product's overrides laid over it, component by component. */
export function ruleBookFor(posting: ProductPosting | undefined): RuleBook {
  const base = defaultRuleBooks[posting?.basis ?? 'accrual'];
  if (posting === undefined) return base;
  const events = { ...base.events };
  for (const type of postingEventTypes) {
    const override = posting.events?.[type];
    if (override) events[type] = { ...base.events[type], ...override };
  }
  return { basis: base.basis, channels: { ...base.channels, ...posting.channels }, events };
}

/** A business event as modules report it; amounts are minor units by component. */
export type BusinessEvent = LineDimensions & {
  type: PostingEventType;
  idempotencyKey: string;
  amounts: Readonly<Record<string, bigint>>;
  /** Defaults to CNY. */
  currency?: string | undefined;
  /** The payment channel whose clearing account `@channel` means. */
  channel?: string | undefined;
  businessDate?: DateString | undefined;
  sourceRef?: string | undefined;
  description?: string | undefined;
};

function invalid(event: BusinessEvent, detail: string): AppError {
  return new AppError(
    'posting_event_invalid',
    `Cannot post ${event.type} ${event.idempotencyKey}: ${detail}`,
  );
}

/**
 * The journal entry an event posts under a rule book, or undefined when the rules book nothing for
 * it (a cash-basis accrual). Lines on the same account are netted, so a repayment debits the
 * clearing account once with the total and a disbursement with a merchant discount credits the
 * merchant payable once with what the merchant is owed.
 */
export function entryForEvent(event: BusinessEvent, book: RuleBook): JournalEntryInput | undefined {
  const rule = book.events[event.type];
  if (rule === undefined) throw invalid(event, 'unknown event type');
  const dimensions: LineDimensions = {
    loanId: event.loanId,
    customerId: event.customerId,
    productId: event.productId,
    merchantId: event.merchantId,
    funderId: event.funderId,
  };
  const currency = event.currency ?? 'CNY';
  const resolve = (ref: AccountRef): string => {
    if (ref !== channelRef) return ref;
    if (event.channel === undefined)
      throw invalid(event, 'the rule needs a payment channel and the event names none');
    const code = book.channels[event.channel];
    if (code === undefined) throw invalid(event, `unknown payment channel ${event.channel}`);
    return code;
  };
  // Net debits per account, in the order accounts first appear: an entry books an account on one
  // side only (journal_account_on_both_sides), so a disbursement's principal credited to 2202 and
  // its merchant discount debited from 2202 become one credit of the difference.
  const net = new Map<string, bigint>();
  const add = (account: string, side: 'debit' | 'credit', amountMinor: bigint) => {
    net.set(account, (net.get(account) ?? 0n) + (side === 'debit' ? amountMinor : -amountMinor));
  };
  for (const [component, amountMinor] of Object.entries(event.amounts)) {
    if (typeof amountMinor !== 'bigint' || amountMinor < 0n)
      throw invalid(event, `${component} must be a bigint of at least 0`);
    if (!Object.hasOwn(rule, component)) {
      throw invalid(
        event,
        `${event.type} has no component ${component} (it has ${Object.keys(rule).join(', ')})`,
      );
    }
    const mapping = rule[component];
    if (mapping === null || mapping === undefined || amountMinor === 0n) continue;
    add(resolve(mapping.debit), 'debit', amountMinor);
    add(resolve(mapping.credit), 'credit', amountMinor);
  }
  const lines: JournalLineInput[] = [];
  for (const [account, amountMinor] of net) {
    // An account whose components cancel out posts no line.
    if (amountMinor === 0n) continue;
    const side = amountMinor > 0n ? 'debit' : 'credit';
    lines.push({
      account,
      side,
      amountMinor: amountMinor > 0n ? amountMinor : -amountMinor,
      currency,
      ...dimensions,
    });
  }
  if (lines.length === 0) return undefined;
  return {
    idempotencyKey: event.idempotencyKey,
    eventType: event.type,
    businessDate: event.businessDate,
    sourceRef: event.sourceRef,
    description: event.description,
    lines,
  };
}
