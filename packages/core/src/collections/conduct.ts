import { defaultCollectionsTimeZone, localClock } from './local-time.ts';

// The conduct rules of post-loan collection, enforced by the system before every contact attempt
// rather than left to agents: the national standard on post-loan collection for online consumer
// credit (announced 2025-03-13) and the banking-association guideline of 2026.
//   - collect from the debtor only: a contact person (紧急联系人) may be reached only while the
//     debtor is unreachable (no valid own number, or the last 3 attempts on their own numbers all
//     failed), and never told of the debt — so only an agent's voice call (which asks them to pass a
//     message on) may reach them; an SMS, AI voice script or visit is about the debt by its nature;
//   - "do not contact" is permanent: a target marked so is never contacted again;
//   - no contact between 22:00 and 08:00 in the debtor's local time, unless the debtor agreed to
//     another window;
//   - at most 3 connected voice contacts (AI voice included) per person per local day, and at most
//     6 unanswered dials per number per local day.
// A pure function: the caller gives the attempt, the target's facts, the day's history and the
// instant; the answer is allowed, or refused with every rule broken, the first one named.

export const contactChannels = ['sms', 'voice', 'ai_voice', 'visit'] as const;
export type ContactChannel = (typeof contactChannels)[number];

/** What an attempt came to; `refused` is the system's, never an agent's. */
export const contactOutcomes = ['connected', 'unanswered', 'invalid_number', 'sent', 'refused'] as const;
export type ContactOutcome = (typeof contactOutcomes)[number];
/** The outcomes an agent (or the dialer) reports. */
export const reportedOutcomes = ['connected', 'unanswered', 'invalid_number', 'sent'] as const;

export const targetRoles = ['debtor', 'contact_person'] as const;
export type TargetRole = (typeof targetRoles)[number];

/** The rules, in the order they are checked (the first broken one is the one named). */
export const conductRules = [
  'do_not_contact',
  'number_invalid',
  'contact_person_while_reachable',
  'not_debtor_disclosure',
  'quiet_hours',
  'connected_voice_limit',
  'unanswered_dial_limit',
] as const;
export type ConductRule = (typeof conductRules)[number];

export const conductLimits = {
  /** Connected voice contacts (agent or AI) per person per local day. */
  connectedVoicePerDay: 3,
  /** Unanswered dials per number per local day. */
  unansweredDialsPerNumberPerDay: 6,
  /** Consecutive failed attempts on the debtor's own numbers that make the debtor unreachable. */
  failedAttemptsUnreachable: 3,
  /** The default contact window, local time: 08:00 to 22:00. */
  windowFromMinute: 8 * 60,
  windowToMinute: 22 * 60,
} as const;

export const voiceChannels: readonly ContactChannel[] = ['voice', 'ai_voice'];
export const isVoice = (channel: ContactChannel) => voiceChannels.includes(channel);

export type ContactTargetFacts = {
  id: string;
  role: TargetRole;
  /** The number's identity (its blind index), so two targets with one number share its limits. */
  numberKey: string;
  status: 'valid' | 'invalid';
  doNotContact: boolean;
};

/** An earlier attempt (refused ones included: they are in the log but never count). */
export type PastAttempt = {
  at: Date;
  channel: ContactChannel;
  targetId: string;
  targetRole: TargetRole;
  numberKey: string;
  outcome: ContactOutcome;
};

/** A window the debtor agreed to, in minutes of the local day; `from > to` runs past midnight. */
export type ContactWindow = { fromMinute: number; toMinute: number };

export type ConductInput = {
  now: Date;
  timeZone?: string;
  channel: ContactChannel;
  target: ContactTargetFacts;
  /** The debtor's own numbers (role debtor), for whether the debtor is reachable. */
  debtorNumbers: readonly ContactTargetFacts[];
  /**
   * The debtor's attempts: at least today's (local day) and the last few on their own numbers,
   * any order.
   */
  history: readonly PastAttempt[];
  /** A window the debtor agreed to instead of 08:00–22:00, if any. */
  consentWindow?: ContactWindow | null | undefined;
};

export type ConductDecision =
  | { allowed: true; localDate: string; minuteOfDay: number }
  | { allowed: false; rule: ConductRule; rules: ConductRule[]; localDate: string; minuteOfDay: number };

const failed = (outcome: ContactOutcome) => outcome === 'unanswered' || outcome === 'invalid_number';

function insideWindow(minute: number, window: ContactWindow): boolean {
  return window.fromMinute <= window.toMinute
    ? minute >= window.fromMinute && minute < window.toMinute
    : minute >= window.fromMinute || minute < window.toMinute;
}

/**
 * Whether the debtor can be reached on their own numbers: some own number is valid, and the last
 * three attempts on them (refusals aside) did not all fail. A number the debtor asked not to be
 * called on does not make them unreachable: their request is not a licence to call their family.
 */
export function debtorReachable(
  debtorNumbers: readonly ContactTargetFacts[],
  history: readonly PastAttempt[],
): boolean {
  if (!debtorNumbers.some((n) => n.status === 'valid')) return false;
  const own = history
    .filter((a) => a.targetRole === 'debtor' && a.outcome !== 'refused' && a.channel !== 'sms')
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, conductLimits.failedAttemptsUnreachable);
  return !(own.length === conductLimits.failedAttemptsUnreachable && own.every((a) => failed(a.outcome)));
}

export function checkConduct(input: ConductInput): ConductDecision {
  const timeZone = input.timeZone ?? defaultCollectionsTimeZone;
  const clock = localClock(input.now, timeZone);
  const { target, channel } = input;
  const today = input.history.filter(
    (a) => a.outcome !== 'refused' && localClock(a.at, timeZone).date === clock.date,
  );
  const broken: ConductRule[] = [];
  if (target.doNotContact) broken.push('do_not_contact');
  if (target.status === 'invalid') broken.push('number_invalid');
  if (target.role === 'contact_person') {
    if (debtorReachable(input.debtorNumbers, input.history)) broken.push('contact_person_while_reachable');
    if (channel !== 'voice') broken.push('not_debtor_disclosure');
  }
  const window = input.consentWindow ?? {
    fromMinute: conductLimits.windowFromMinute,
    toMinute: conductLimits.windowToMinute,
  };
  if (!insideWindow(clock.minuteOfDay, window)) broken.push('quiet_hours');
  if (isVoice(channel)) {
    // The same person: the debtor on any of their own numbers, a contact person on theirs.
    const samePerson = (a: PastAttempt) =>
      target.role === 'debtor' ? a.targetRole === 'debtor' : a.targetId === target.id;
    const connected = today.filter((a) => isVoice(a.channel) && a.outcome === 'connected' && samePerson(a));
    if (connected.length >= conductLimits.connectedVoicePerDay) broken.push('connected_voice_limit');
    const unanswered = today.filter(
      (a) => isVoice(a.channel) && a.outcome === 'unanswered' && a.numberKey === target.numberKey,
    );
    if (unanswered.length >= conductLimits.unansweredDialsPerNumberPerDay)
      broken.push('unanswered_dial_limit');
  }
  const first = broken[0];
  return first === undefined
    ? { allowed: true, localDate: clock.date, minuteOfDay: clock.minuteOfDay }
    : { allowed: false, rule: first, rules: broken, localDate: clock.date, minuteOfDay: clock.minuteOfDay };
}
