import { addDays, addMonths, daysBetween, localDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import { AppError } from '../../platform/errors.ts';
import { createSubmission, customersIdentities, runGeneration } from '../bureau/service.ts';
import { finishRun, runPartitions, startRun } from '../cob/service.ts';
import {
  collectionsScope,
  createPromise,
  listCases,
  recordContactAttempt,
  sendDueReminders,
  targetsOfCustomer,
} from '../collections/service.ts';
import { acceptOrder, type ContractRenderer, createOrder, drawdown, loanById } from '../loans/service.ts';
import { applicationView, claimReview, decideReview } from '../risk/service.ts';
import { payoffQuoteOf, requestPayoff, requestPrepayment, requestRepayment } from '../servicing/service.ts';
import {
  acceptConsents,
  applyForCredit,
  availableOnLine,
  type BorrowerState,
  bindDebitCard,
  lineGranted,
  newBorrower,
  signUp,
} from './borrowers.ts';
import { cashProducts, type ProductKey, products } from './catalogue.ts';
import { approve, command, origin, type SimulationContext, staffMember } from './context.ts';
import { drain } from './drive.ts';
import { Random } from './prng.ts';
import { behaviours, borrowerProfile } from './profiles.ts';
import type { World } from './world.ts';

// The simulated business, day by day (docs/simulation.md, "A day"). Every decision is drawn from
// a stream keyed by what it is about, planned before anything runs, and then carried out through
// the services — concurrently across borrowers where they do not touch one another, one after
// the other where the platform's answer depends on order (credit decisions read how many others
// applied from a device; one debtor's contact attempts count against each other's limits).

export type SimulationOptions = {
  seed: number;
  months: number;
  borrowers: number;
  startDate: string;
  /** Concurrent borrower tasks (the database works on the other core). */
  concurrency: number;
};

export type Progress = {
  day: number;
  days: number;
  date: string;
  borrowers: number;
  loans: number;
};

type Outcome =
  | { kind: 'auto' }
  | { kind: 'early'; day: number }
  | { kind: 'late'; days: number }
  | { kind: 'default' };

export type LoanPlan = {
  id: string;
  borrower: number;
  ordinal: number;
  productCode: string;
  method: string;
  startDay: number;
  /** What happens to each installment, by the day (index) it falls due. */
  dues: Map<number, Outcome>;
  /** Early pay days of installments, day → true. */
  earlyDays: Set<number>;
  payoffDay: number | null;
  prepayDay: number | null;
  prepayShare: number;
  prepayMode: 'reduce_payment' | 'reduce_term';
  closed: boolean;
};

/** Counts of what the simulation did, for the summary (its own figures; the platform's are read). */
export type Activity = {
  borrowersArrived: number;
  /** Borrowers who stopped paying for good. */
  defaults: number;
  applications: {
    approved: number;
    rejected: number;
    review: number;
    reviewApproved: number;
    reviewRejected: number;
    refused: number;
  };
  cardsBound: number;
  orders: number;
  drawdowns: number;
  repaymentsRequested: number;
  earlyRepayments: number;
  lateRepayments: number;
  payoffs: number;
  prepayments: number;
  contacts: { connected: number; unanswered: number; refused: number };
  promises: number;
  reminders: number;
  bureauGenerations: number;
  bureauRecords: number;
  bureauSubmissions: number;
  bureauSubmittedRecords: number;
  cobRuns: number;
  writtenOff: number;
  writtenOffPrincipalMinor: bigint;
};

function emptyActivity(): Activity {
  return {
    borrowersArrived: 0,
    defaults: 0,
    applications: { approved: 0, rejected: 0, review: 0, reviewApproved: 0, reviewRejected: 0, refused: 0 },
    cardsBound: 0,
    orders: 0,
    drawdowns: 0,
    repaymentsRequested: 0,
    earlyRepayments: 0,
    lateRepayments: 0,
    payoffs: 0,
    prepayments: 0,
    contacts: { connected: 0, unanswered: 0, refused: 0 },
    promises: 0,
    reminders: 0,
    bureauGenerations: 0,
    bureauRecords: 0,
    bureauSubmissions: 0,
    bureauSubmittedRecords: 0,
    cobRuns: 0,
    writtenOff: 0,
    writtenOffPrincipalMinor: 0n,
  };
}

/** Runs `work` for every item, at most `limit` at once; the first failure stops it. */
async function concurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (failure === null && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== null) throw failure;
}

/** Refusals the platform answers when there is nothing to do (a loan closed meanwhile, nothing due). */
function isNothingToDo(error: unknown): boolean {
  return (
    error instanceof AppError &&
    [
      'loan_not_repayable',
      'repayment_amount_invalid',
      'prepayment_not_allowed',
      'prepayment_while_overdue',
      'prepayment_invalid',
      'payoff_quote_stale',
      'not_found',
    ].includes(error.code)
  );
}

const yuan = (n: number) => BigInt(Math.round(n)) * 100n;

/** Where the time goes, per stage (FENQI_SIMULATION_PROFILE=1 prints it at the end). */
export const stageTimes = new Map<string, number>();
export async function timed<T>(stage: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    stageTimes.set(stage, (stageTimes.get(stage) ?? 0) + performance.now() - started);
  }
}

export class SimulatedBusiness {
  readonly borrowers: BorrowerState[];
  readonly loans = new Map<string, LoanPlan>();
  readonly activity = emptyActivity();
  readonly days: number;
  readonly start: string;
  private day = 0;
  /** Loans a payment was asked for today: at most one a day (their outcomes then never race). */
  private askedToday = new Set<string>();
  private readonly seed: number;
  private readonly staffById = new Map<string, string>();

  private readonly context: SimulationContext;
  private readonly world: World;
  private readonly options: SimulationOptions;
  private readonly render: ContractRenderer;

  constructor(
    context: SimulationContext,
    world: World,
    options: SimulationOptions,
    render: ContractRenderer,
  ) {
    this.context = context;
    this.world = world;
    this.options = options;
    this.render = render;
    this.seed = options.seed;
    this.start = options.startDate;
    const start = localDate(options.startDate);
    // The first business date of the month `months` later is the first one not simulated.
    this.days = daysBetween(start, addMonths(start, options.months));
    const year = Number(options.startDate.slice(0, 4));
    this.borrowers = Array.from({ length: options.borrowers }, (_, i) =>
      newBorrower(borrowerProfile(this.seed, i, year, this.days)),
    );
    for (const [username, member] of context.staff) this.staffById.set(member.userId, username);
  }

  /** A borrower to try the H5 as: the first who kept paying and has a loan active at the end. */
  async borrowerToTry(): Promise<{ phone: string; name: string } | null> {
    for (const b of this.borrowers) {
      if (b.defaulted) continue;
      for (const id of b.loans)
        if ((await loanById(this.context.db, id)).state === 'active')
          return { phone: b.profile.phone, name: b.profile.name };
    }
    return null;
  }

  dateOf(day: number): string {
    return addDays(localDate(this.start), day);
  }

  /** 10:00 in Shanghai on the business date: the wall time the services read. */
  private setClock(date: string): void {
    this.now = new Date(`${date}T02:00:00.000Z`);
  }
  now = new Date(0);

  private rng(...key: (string | number)[]): Random {
    return Random.stream(this.seed, ...key);
  }

  /** Runs every day of the simulation; `onDay` hears of each one done. */
  async run(onDay: (progress: Progress) => Promise<void> | void): Promise<void> {
    for (this.day = 0; this.day < this.days; this.day += 1) {
      const date = this.dateOf(this.day);
      const open = await getBusinessDate(this.context.db);
      if (open !== date) throw new Error(`the business date is ${open}, the simulation is at ${date}`);
      this.setClock(date);
      this.askedToday.clear();
      await timed('morning', () => this.morning(date));
      await timed('business', () => this.business());
      await timed('drain-day', () => drain(this.context));
      await timed('evening', () => this.evening(date));
      await onDay({
        day: this.day + 1,
        days: this.days,
        date,
        borrowers: this.activity.borrowersArrived,
        loans: this.loans.size,
      });
    }
  }

  /**
   * The morning after the last simulated day: the bureau's T+1 generation of the last day (and the
   * month's file, when the run ends on a month's first), so the run ends with every report made.
   */
  async finish(): Promise<void> {
    const date = this.dateOf(this.days);
    this.setClock(date);
    await this.reports(date);
    await drain(this.context);
  }

  private async reports(date: string): Promise<void> {
    const generated = await timed('bureau-generation', () =>
      runGeneration(this.context.services, { date, now: this.now }),
    );
    this.activity.bureauGenerations += 1;
    this.activity.bureauRecords += generated.records;
    if (localDate(date).endsWith('-01') && this.day > 0) await this.submitToBureau(date);
  }

  // ---- the morning: reports, debts paid, money back ----

  private async morning(date: string): Promise<void> {
    await this.reports(date);
    // Borrowers whose money came in today: their card pays again, and they pay what is due.
    const payers = this.borrowers.filter((b) => !b.defaulted && b.emptyUntil === this.day && this.day > 0);
    await this.updateEmptyCards();
    await concurrently(payers, this.options.concurrency, (b) => this.payAllDue(b));
    const today = this.day;
    const early: LoanPlan[] = [];
    const payoffs: LoanPlan[] = [];
    const prepays: LoanPlan[] = [];
    for (const plan of this.loans.values()) {
      if (plan.closed) continue;
      if (plan.earlyDays.has(today)) early.push(plan);
      if (plan.payoffDay === today) payoffs.push(plan);
      if (plan.prepayDay === today) prepays.push(plan);
    }
    await concurrently(early, this.options.concurrency, (plan) => this.payEarly(plan));
    await concurrently(payoffs, this.options.concurrency, (plan) => this.payOff(plan));
    await concurrently(prepays, this.options.concurrency, (plan) => this.prepay(plan));
  }

  private async submitToBureau(date: string): Promise<void> {
    const { context } = this;
    const finance = staffMember(context, 'finance');
    const last = addDays(localDate(date), -1);
    const first = `${last.slice(0, 8)}01`;
    const submission = await command(context.db, (trx) =>
      createSubmission(trx, {
        scope: { from: first, to: last },
        actor: `staff:${finance.userId}`,
        identities: customersIdentities(context.config, finance.userId),
      }),
    );
    this.activity.bureauSubmissions += 1;
    this.activity.bureauSubmittedRecords += submission.records;
  }

  /** The channel's balance rules: every card that holds no money today. */
  private async updateEmptyCards(): Promise<void> {
    const empty = this.borrowers
      .filter((b) => b.agreementId !== null && b.emptyUntil > this.day)
      .filter((b) => !b.defaulted || b.loans.some((id) => this.loans.get(id)?.closed === false))
      .map((b) => b.profile.cardSuffix);
    await this.context.channel.setEmptyCards(empty);
  }

  private borrowerOf(plan: LoanPlan): BorrowerState {
    const b = this.borrowers[plan.borrower];
    if (b === undefined) throw new Error(`no borrower ${plan.borrower}`);
    return b;
  }

  private async attempt(plan: LoanPlan | null, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      if (!isNothingToDo(error)) throw error;
      if (plan !== null && error instanceof AppError && error.code === 'loan_not_repayable')
        plan.closed = true;
      return false;
    }
  }

  private async payAllDue(b: BorrowerState): Promise<void> {
    const scope = b.scope;
    if (scope === null) return;
    for (const id of b.loans) {
      const plan = this.loans.get(id);
      if (plan === undefined || plan.closed || this.askedToday.has(id)) continue;
      this.askedToday.add(id);
      const done = await this.attempt(plan, () =>
        command(this.context.db, (trx) =>
          requestRepayment(trx, this.context.config, scope, id, { what: 'all_due' }),
        ),
      );
      if (done) {
        this.activity.repaymentsRequested += 1;
        this.activity.lateRepayments += 1;
      }
    }
  }

  private async payEarly(plan: LoanPlan): Promise<void> {
    const b = this.borrowerOf(plan);
    const scope = b.scope;
    if (scope === null || b.emptyUntil > this.day || this.askedToday.has(plan.id)) return;
    this.askedToday.add(plan.id);
    const done = await this.attempt(plan, () =>
      command(this.context.db, (trx) =>
        requestRepayment(trx, this.context.config, scope, plan.id, { what: 'current_installment' }),
      ),
    );
    if (done) {
      this.activity.repaymentsRequested += 1;
      this.activity.earlyRepayments += 1;
    }
  }

  private async payOff(plan: LoanPlan): Promise<void> {
    const b = this.borrowerOf(plan);
    const scope = b.scope;
    if (scope === null || b.emptyUntil > this.day || this.askedToday.has(plan.id)) return;
    this.askedToday.add(plan.id);
    const done = await this.attempt(plan, async () => {
      const quote = await payoffQuoteOf(this.context.db, plan.id);
      await command(this.context.db, (trx) =>
        requestPayoff(trx, this.context.config, scope, plan.id, {
          amountMinor: String(quote.totalMinor),
          quoteDate: quote.quoteDate,
        }),
      );
    });
    if (done) this.activity.payoffs += 1;
  }

  private async prepay(plan: LoanPlan): Promise<void> {
    const b = this.borrowerOf(plan);
    const scope = b.scope;
    if (scope === null || b.emptyUntil > this.day || this.askedToday.has(plan.id)) return;
    this.askedToday.add(plan.id);
    const done = await this.attempt(plan, async () => {
      const quote = await payoffQuoteOf(this.context.db, plan.id);
      const principal = (quote.prepaidPrincipalMinor * BigInt(Math.round(plan.prepayShare * 100))) / 100n;
      if (principal < 10_000n) throw new AppError('prepayment_invalid', 'too little to prepay');
      await command(this.context.db, (trx) =>
        requestPrepayment(trx, this.context.config, scope, plan.id, {
          principalMinor: String(principal - (principal % 100n)),
          mode: plan.prepayMode,
        }),
      );
    });
    if (done) this.activity.prepayments += 1;
  }

  // ---- the business day: newcomers, reviews, purchases, collections ----

  private async business(): Promise<void> {
    const arriving = this.borrowers.filter((b) => b.profile.arrivalDay === this.day && b.status === 'new');
    await timed('reviews', () => this.decideReviews());
    // Signing up and binding cards run side by side; the applications go one after the other,
    // since a decision reads what other applicants did (the same device, say).
    await concurrently(arriving, this.options.concurrency, async (b) => {
      await timed('b.signup', () => signUp(this.context, b));
      this.activity.borrowersArrived += 1;
      if (b.profile.cardFirst) {
        await timed('b.card', () => bindDebitCard(this.context, b));
        this.activity.cardsBound += 1;
      }
    });
    for (const b of arriving) {
      const outcome = await timed('b.apply', () => applyForCredit(this.context, b));
      this.activity.applications[outcome] += 1;
      if (outcome === 'approved') this.planFirstPurchase(b);
    }
    const buyers = this.borrowers.filter(
      (b) =>
        b.status === 'approved' && b.nextPurchaseDay === this.day && !b.defaulted && b.emptyUntil <= this.day,
    );
    await timed('b.purchases', () => concurrently(buyers, this.options.concurrency, (b) => this.purchase(b)));
    await timed('collections', () => this.collections());
  }

  private planFirstPurchase(b: BorrowerState): void {
    const r = this.rng('first-purchase', b.profile.index);
    b.nextPurchaseDay = r.chance(0.88) ? this.day + r.int(0, 10) : null;
  }

  private planNextPurchase(b: BorrowerState): void {
    const r = this.rng('next-purchase', b.profile.index, b.purchases);
    // Some come back: about one more purchase in a year for half of them.
    b.nextPurchaseDay = r.chance(0.55) ? this.day + r.int(20, 200) : null;
  }

  /** The analyst works yesterday's review queue: claims each application and decides it. */
  private async decideReviews(): Promise<void> {
    const { context } = this;
    const analyst = staffMember(context, 'analyst');
    const due = this.borrowers.filter((b) => b.status === 'review' && b.profile.arrivalDay < this.day);
    for (const b of due) {
      const applicationId = b.applicationId;
      if (applicationId === null) continue;
      const r = this.rng('review', b.profile.index);
      const wanted: 'approve' | 'reject' = b.profile.tier !== 'fraud' && r.chance(0.7) ? 'approve' : 'reject';
      const decide = (decision: 'approve' | 'reject') =>
        command(context.db, async (trx) => {
          await claimReview(trx, { applicationId, analyst: analyst.userId });
          return decideReview(trx, context.config, {
            applicationId,
            decision,
            reasonCode: decision === 'approve' ? 'V002_INCOME_VERIFIED' : 'V103_AFFORDABILITY',
            note:
              decision === 'approve'
                ? '收入证明已核实 income verified'
                : '负债收入比过高 debt to income too high',
            analyst: { userId: analyst.userId, permissions: analyst.caller.permissions },
            origin,
          });
        });
      let decided = await decide(wanted).catch((error: unknown) => {
        // Scored below every grade: there is no offer to approve, so it is turned down.
        if (error instanceof AppError && error.code === 'review_no_offer') return null;
        throw error;
      });
      if (decided === null) decided = await decide('reject');
      // Above the review approval limit a second person approves (risk:review-approve).
      if (decided.status === 'awaiting_approval' && decided.approvalRequestId !== null)
        await approve(context, 'approver', decided.approvalRequestId);
      const application = await applicationView(context.db, applicationId);
      if (application.status !== 'approved' || application.lineId === null) {
        b.status = 'rejected';
        this.activity.applications.reviewRejected += 1;
        continue;
      }
      await lineGranted(context, b, application.lineId);
      this.activity.applications.reviewApproved += 1;
      this.planFirstPurchase(b);
    }
  }

  private choosePurchase(b: BorrowerState): { product: ProductKey | 'cash'; r: Random } {
    const r = this.rng('purchase', b.profile.index, b.purchases);
    const wants = r.chance(0.75)
      ? b.profile.interest
      : r.pick<ProductKey | 'cash'>(['education', 'travel', 'home', 'electronics', 'cash']);
    return { product: wants, r };
  }

  private async purchase(b: BorrowerState): Promise<void> {
    const { context } = this;
    const { product, r } = this.choosePurchase(b);
    b.purchases += 1;
    this.planNextPurchase(b);
    const scope = b.scope;
    if (scope === null) return;
    const available = await availableOnLine(context, b);
    if (product === 'cash') {
      const code = r.chance(0.6) ? products.cashDaily.code : products.cashBullet.code;
      if (!b.products.includes(code)) return;
      const definition = code === products.cashDaily.code ? products.cashDaily : products.cashBullet;
      const amount = this.amountWithin(r, [1000, 20000], available, definition);
      if (amount === null) return;
      await bindDebitCard(context, b);
      await acceptConsents(context, b, ['loan_contract']);
      const cardId = b.cardId;
      if (cardId === null) return;
      const termCount = r.pick(definition.termsOffered);
      const loan = await command(context.db, (trx) =>
        drawdown(
          trx,
          context.config,
          scope,
          { productCode: code, amountMinor: amount, termCount, cardId },
          this.render,
        ),
      );
      this.activity.drawdowns += 1;
      await this.planLoan(b, loan.id, code, loan.method);
      return;
    }
    const merchant = this.world.merchants.find((m) => m.key === product);
    if (merchant === undefined || !b.products.includes(merchant.productCode)) return;
    const definition = products[product];
    const amount = this.amountWithin(r, merchant.amountYuan, available, definition);
    if (amount === null) return;
    // Every borrower repays by card: a card is bound before the first purchase.
    await bindDebitCard(context, b);
    await acceptConsents(context, b, ['loan_contract']);
    const item = r.pick(merchant.items);
    const made = await command(context.db, (trx) =>
      createOrder(trx, context.config, merchant.scope, {
        merchantOrderId: `SIM-${this.seed}-${b.profile.index}-${b.purchases}`,
        productCode: merchant.productCode,
        amountMinor: amount,
        items: [{ name: item, quantity: 1, unitPriceMinor: String(amount) }],
      }),
    );
    const termCount = r.pick(definition.termsOffered);
    const accepted = await timed('b.accept', () =>
      command(context.db, (trx) =>
        acceptOrder(trx, context.config, scope, { token: made.checkoutToken, termCount }, this.render),
      ),
    );
    this.activity.orders += 1;
    await this.planLoan(b, accepted.loan.id, merchant.productCode, accepted.loan.method);
  }

  private amountWithin(
    r: Random,
    range: readonly [number, number],
    available: bigint,
    definition: { amountMinMinor: string; amountMaxMinor: string },
  ): bigint | null {
    const wanted = yuan(Math.round(r.int(range[0], range[1]) / 10) * 10);
    const max = BigInt(definition.amountMaxMinor);
    let amount = wanted > max ? max : wanted;
    if (amount > available) amount = available - (available % 10_000n);
    return amount >= BigInt(definition.amountMinMinor) ? amount : null;
  }

  /** What will happen to the loan: each installment's fate, an early payoff or a prepayment. */
  private async planLoan(
    b: BorrowerState,
    loanId: string,
    productCode: string,
    method: string,
  ): Promise<void> {
    const ordinal = b.loans.length;
    b.loans.push(loanId);
    const loan = await loanById(this.context.db, loanId);
    const r = this.rng('loan', b.profile.index, ordinal);
    const behaviour = behaviours[b.profile.tier];
    const dues = new Map<number, Outcome>();
    const earlyDays = new Set<number>();
    const start = localDate(this.dateOf(this.day));
    const cash = (cashProducts as readonly string[]).includes(productCode);
    // A borrower who will stop paying mostly does so early (a first-payment default, 首期逾期).
    const count = loan.installments.length;
    const defaultsAt = r.chance(behaviour.default)
      ? r.weighted(Array.from({ length: count }, (_, i) => [i, 1 / (i + 1)] as const))
      : null;
    for (const [index, installment] of loan.installments.entries()) {
      const dueDay = this.day + daysBetween(start, localDate(installment.dueDate));
      let outcome: Outcome;
      if (defaultsAt !== null && index >= defaultsAt) outcome = { kind: 'default' };
      else if (r.chance(behaviour.late)) {
        const [lo, hi] = r.weighted(behaviour.lateDays);
        outcome = { kind: 'late', days: r.int(lo, hi) };
      } else if (r.chance(behaviour.early)) {
        const earlyDay = dueDay - r.int(1, 4);
        outcome = earlyDay > this.day ? { kind: 'early', day: earlyDay } : { kind: 'auto' };
        if (outcome.kind === 'early') earlyDays.add(earlyDay);
      } else outcome = { kind: 'auto' };
      dues.set(dueDay, outcome);
    }
    const lastDue = Math.max(...dues.keys());
    const firstDue = Math.min(...dues.keys());
    let payoffDay: number | null = null;
    let prepayDay: number | null = null;
    // Revolving cash is mostly repaid early (随借随还); installments now and then.
    if (r.chance(cash ? 0.45 : behaviour.payoff) && lastDue - this.day > 12)
      payoffDay = cash ? this.day + r.int(5, lastDue - this.day - 3) : r.int(firstDue + 2, lastDue - 3);
    const canPrepay = ['equal_installment', 'equal_principal', 'interest_first'].includes(method);
    if (payoffDay === null && canPrepay && r.chance(behaviour.prepay) && lastDue - firstDue > 40)
      prepayDay = r.int(firstDue + 3, lastDue - 20);
    this.loans.set(loanId, {
      id: loanId,
      borrower: b.profile.index,
      ordinal,
      productCode,
      method,
      startDay: this.day,
      dues,
      earlyDays,
      payoffDay,
      prepayDay,
      prepayShare: 0.2 + 0.4 * r.float(),
      prepayMode: method === 'interest_first' || r.chance(0.5) ? 'reduce_payment' : 'reduce_term',
      closed: false,
    });
  }

  // ---- collections ----

  private async collections(): Promise<void> {
    const { context } = this;
    const reminders = await sendDueReminders(context.services, new Date(this.now.getTime() + 5 * 60_000));
    this.activity.reminders += (reminders as { sent?: number }).sent ?? 0;
    const operator = staffMember(context, 'operator');
    const scope = await collectionsScope(context.db, operator.caller);
    const cases: Awaited<ReturnType<typeof listCases>>['items'] = [];
    let after: string | undefined;
    for (;;) {
      const page = await listCases(context.db, scope, { open: 'true', limit: 100, after });
      cases.push(...page.items);
      if (page.next === null) break;
      after = page.next;
    }
    const byDebtor = new Map<number, typeof cases>();
    for (const found of cases) {
      const plan = this.loans.get(found.loan_id);
      if (plan === undefined || found.agent_id === null) continue;
      const list = byDebtor.get(plan.borrower) ?? [];
      list.push(found);
      byDebtor.set(plan.borrower, list);
    }
    const debtors = [...byDebtor.entries()].sort(([a], [b]) => a - b);
    await concurrently(debtors, this.options.concurrency, async ([index, list]) => {
      list.sort(
        (x, y) => (this.loans.get(x.loan_id)?.ordinal ?? 0) - (this.loans.get(y.loan_id)?.ordinal ?? 0),
      );
      for (const found of list) await this.contact(index, found);
    });
  }

  private async contact(
    index: number,
    found: Awaited<ReturnType<typeof listCases>>['items'][number],
  ): Promise<void> {
    const { context } = this;
    const plan = this.loans.get(found.loan_id);
    const b = this.borrowers[index];
    if (plan === undefined || b === undefined || found.agent_id === null) return;
    const r = this.rng('contact', index, plan.ordinal, this.day);
    // Agents call a case every other day or so; later buckets less often.
    if (!r.chance(found.bucket === 'M1' ? 0.5 : 0.3)) return;
    const username = this.staffById.get(found.agent_id);
    if (username === undefined) return;
    const agent = staffMember(context, username);
    const scope = await collectionsScope(context.db, agent.caller);
    const targets = await targetsOfCustomer(context.db, found.customer_id);
    const target = targets.find((t) => t.role === 'debtor' && t.status === 'valid' && !t.do_not_contact);
    if (target === undefined) return;
    const connected = r.chance(b.defaulted ? 0.25 : 0.55);
    const recorded = await recordContactAttempt(context.db, scope, {
      caseId: found.id,
      targetId: target.id,
      channel: 'voice',
      outcome: connected ? 'connected' : 'unanswered',
      note: connected ? '已联系本人，提醒还款' : '无人接听',
      agentId: agent.userId,
      now: new Date(this.now.getTime() + r.int(0, 6 * 3600) * 1000),
      requestKey: `simulation:${this.seed}:${index}:${plan.ordinal}:${this.day}`,
    });
    if (recorded.attempt.outcome === 'refused') {
      this.activity.contacts.refused += 1;
      return;
    }
    if (!connected) {
      this.activity.contacts.unanswered += 1;
      return;
    }
    this.activity.contacts.connected += 1;
    if (found.state === 'promised_to_pay') return;
    // A debtor whose money comes within the month promises that day; one who will not pay
    // promises anyway, now and then, and breaks it.
    const payDay = b.defaulted ? (r.chance(0.3) ? this.day + r.int(1, 7) : null) : b.emptyUntil;
    if (payDay === null || payDay < this.day || payDay - this.day > 30) return;
    const promisedDate = this.dateOf(payDay);
    const created = await command(context.db, (trx) =>
      createPromise(trx, scope, found.id, {
        promisedDate,
        amountMinor: found.overdue_minor > 0n ? found.overdue_minor : 100n,
        agentId: agent.userId,
      }),
    ).then(
      () => true,
      (error: unknown) => {
        if (error instanceof AppError && ['promise_open_exists', 'promise_invalid'].includes(error.code))
          return false;
        throw error;
      },
    );
    if (created) this.activity.promises += 1;
  }

  // ---- the evening: who cannot pay tomorrow's debits, close of business ----

  private async evening(date: string): Promise<void> {
    const { context } = this;
    for (const plan of this.loans.values()) {
      if (plan.closed) continue;
      const outcome = plan.dues.get(this.day);
      if (outcome === undefined) continue;
      const b = this.borrowerOf(plan);
      if (outcome.kind === 'default') {
        if (!b.defaulted) this.activity.defaults += 1;
        b.defaulted = true;
        b.emptyUntil = Number.POSITIVE_INFINITY;
      } else if (outcome.kind === 'late') b.emptyUntil = Math.max(b.emptyUntil, this.day + outcome.days);
    }
    await this.updateEmptyCards();
    const started = await timed('cob-start', () =>
      startRun(context.services, { date, startedBy: 'simulation' }),
    );
    // As many workers as partitions (COB_PARTITION_LOANS), at most two: the machine's cores.
    const workers = Math.max(1, Math.min(2, started.run.partitions));
    await timed('cob-partitions', () =>
      Promise.all(
        Array.from({ length: workers }, (_, i) =>
          runPartitions(context.db, { date, worker: `simulation/${i + 1}` }),
        ),
      ),
    );
    const finished = await timed('cob-finish', () => finishRun(context.db, date));
    if (finished.outcome === 'pending') throw new Error(`close of business ${date} did not finish`);
    const summary = finished.run.summary;
    this.activity.cobRuns += 1;
    if (summary !== null) {
      this.activity.writtenOff += summary.writtenOff;
      this.activity.writtenOffPrincipalMinor += summary.writtenOffPrincipalMinor;
    }
    // The next morning's wall time for what close of business set off (auto-debits, notices).
    this.setClock(this.dateOf(this.day + 1));
    await timed('drain-night', () => drain(context));
  }
}
