import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConductInput,
  type ContactChannel,
  type ContactOutcome,
  type ContactTargetFacts,
  checkConduct,
  conductRules,
  contactChannels,
  debtorReachable,
  type PastAttempt,
} from './conduct.ts';

// 2026-03-10 in Asia/Shanghai (UTC+8): local 10:00 is 02:00Z, local 22:30 is 14:30Z.
const at = (localHHMM: string, day = '2026-03-10') => {
  const [h, m] = localHHMM.split(':').map(Number);
  return new Date(Date.parse(`${day}T00:00:00Z`) + ((h ?? 0) - 8) * 3_600_000 + (m ?? 0) * 60_000);
};

const own: ContactTargetFacts = {
  id: 'own',
  role: 'debtor',
  numberKey: 'n-own',
  status: 'valid',
  doNotContact: false,
};
const second: ContactTargetFacts = { ...own, id: 'own2', numberKey: 'n-own2' };
const mother: ContactTargetFacts = {
  id: 'mother',
  role: 'contact_person',
  numberKey: 'n-mother',
  status: 'valid',
  doNotContact: false,
};

function past(
  target: ContactTargetFacts,
  outcome: ContactOutcome,
  time = '09:00',
  channel: ContactChannel = 'voice',
): PastAttempt {
  return {
    at: at(time),
    channel,
    targetId: target.id,
    targetRole: target.role,
    numberKey: target.numberKey,
    outcome,
  };
}

const base = (overrides: Partial<ConductInput> = {}): ConductInput => ({
  now: at('10:00'),
  channel: 'voice',
  target: own,
  debtorNumbers: [own],
  history: [],
  ...overrides,
});

const repeat = (n: number, make: (i: number) => PastAttempt) => Array.from({ length: n }, (_, i) => make(i));

describe('checkConduct', () => {
  it('allows a call to the debtor at 10:00 local time with nothing before it', () => {
    expect(checkConduct(base())).toEqual({ allowed: true, localDate: '2026-03-10', minuteOfDay: 600 });
  });

  it.each([
    ['21:59', true],
    ['22:00', false],
    ['22:30', false],
    ['00:00', false],
    ['07:59', false],
    ['08:00', true],
  ])('at %s local time is allowed: %s (quiet hours 22:00–08:00)', (time, allowed) => {
    const decision = checkConduct(base({ now: at(time) }));
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.rule).toBe('quiet_hours');
  });

  it('reads quiet hours in the debtor’s zone, not UTC: 14:30Z is 22:30 in Shanghai and 09:30 in New York… the next day', () => {
    expect(checkConduct(base({ now: new Date('2026-03-10T14:30:00Z') }))).toMatchObject({
      allowed: false,
      rule: 'quiet_hours',
    });
    expect(
      checkConduct(base({ now: new Date('2026-03-10T14:30:00Z'), timeZone: 'America/New_York' })),
    ).toMatchObject({
      allowed: true,
    });
  });

  it('allows 22:30 when the debtor agreed to a window until 23:00', () => {
    const consentWindow = { fromMinute: 9 * 60, toMinute: 23 * 60 };
    expect(checkConduct(base({ now: at('22:30'), consentWindow })).allowed).toBe(true);
    expect(checkConduct(base({ now: at('08:30'), consentWindow }))).toMatchObject({ rule: 'quiet_hours' });
  });

  it('allows a window the debtor agreed to across midnight', () => {
    const consentWindow = { fromMinute: 20 * 60, toMinute: 60 };
    expect(checkConduct(base({ now: at('00:30'), consentWindow })).allowed).toBe(true);
    expect(checkConduct(base({ now: at('01:30'), consentWindow }))).toMatchObject({ rule: 'quiet_hours' });
  });

  it('refuses a 4th connected voice contact with the debtor in a day, AI voice and other own numbers included', () => {
    const history = [
      past(own, 'connected', '08:10'),
      past(second, 'connected', '08:20'),
      past(own, 'connected', '08:30', 'ai_voice'),
    ];
    expect(checkConduct(base({ history, debtorNumbers: [own, second] }))).toMatchObject({
      allowed: false,
      rule: 'connected_voice_limit',
    });
    expect(checkConduct(base({ history, channel: 'ai_voice' }))).toMatchObject({
      rule: 'connected_voice_limit',
    });
    // SMS is not a voice contact.
    expect(checkConduct(base({ history, channel: 'sms' })).allowed).toBe(true);
    // Two connected calls: the third is allowed.
    expect(checkConduct(base({ history: history.slice(0, 2) })).allowed).toBe(true);
  });

  it('counts only today’s contacts in the debtor’s local day', () => {
    const yesterday = repeat(3, () => ({ ...past(own, 'connected'), at: at('20:00', '2026-03-09') }));
    expect(checkConduct(base({ history: yesterday })).allowed).toBe(true);
  });

  it('refuses a 7th unanswered dial of one number in a day, and allows another number', () => {
    const history = repeat(6, (i) => past(own, 'unanswered', `08:${String(10 + i)}`));
    const connectedSecond = [past(second, 'connected', '08:05')];
    expect(
      checkConduct(base({ history: [...history, ...connectedSecond], debtorNumbers: [own, second] })),
    ).toMatchObject({
      allowed: false,
      rule: 'unanswered_dial_limit',
    });
    expect(checkConduct(base({ history: history.slice(0, 5) })).allowed).toBe(true);
    expect(checkConduct(base({ history, target: second, debtorNumbers: [own, second] })).allowed).toBe(true);
  });

  it('never counts refused attempts towards a limit', () => {
    const history = repeat(10, () => past(own, 'refused'));
    expect(checkConduct(base({ history })).allowed).toBe(true);
  });

  it('refuses a contact person while the debtor is reachable', () => {
    expect(checkConduct(base({ target: mother }))).toMatchObject({
      allowed: false,
      rule: 'contact_person_while_reachable',
    });
  });

  it('allows a voice call to a contact person once the debtor’s own number is invalid', () => {
    const invalid = { ...own, status: 'invalid' as const };
    expect(checkConduct(base({ target: mother, debtorNumbers: [invalid] })).allowed).toBe(true);
  });

  it('allows a contact person after 3 consecutive failed attempts on the debtor’s numbers, not after 2 or a broken streak', () => {
    const three = [
      past(own, 'unanswered', '08:10'),
      past(own, 'unanswered', '08:20'),
      past(own, 'invalid_number', '08:30'),
    ];
    expect(checkConduct(base({ target: mother, history: three })).allowed).toBe(true);
    expect(checkConduct(base({ target: mother, history: three.slice(1) }))).toMatchObject({
      rule: 'contact_person_while_reachable',
    });
    const broken = [...three, past(own, 'connected', '08:40')];
    expect(checkConduct(base({ target: mother, history: broken }))).toMatchObject({
      rule: 'contact_person_while_reachable',
    });
  });

  it('never reaches a contact person by SMS, AI voice or a visit: they would be told of the debt', () => {
    const debtorGone = [{ ...own, status: 'invalid' as const }];
    for (const channel of ['sms', 'ai_voice', 'visit'] as const)
      expect(checkConduct(base({ target: mother, channel, debtorNumbers: debtorGone }))).toMatchObject({
        allowed: false,
        rule: 'not_debtor_disclosure',
      });
  });

  it('refuses every channel to a do-not-contact target, first of all rules', () => {
    const target = { ...own, doNotContact: true };
    for (const channel of contactChannels)
      expect(checkConduct(base({ target, channel, now: at('23:00') }))).toMatchObject({
        allowed: false,
        rule: 'do_not_contact',
        rules: ['do_not_contact', 'quiet_hours'],
      });
  });

  it('refuses a number marked invalid', () => {
    expect(checkConduct(base({ target: { ...own, status: 'invalid' } }))).toMatchObject({
      rule: 'number_invalid',
    });
  });
});

describe('debtorReachable', () => {
  it('is false without a valid own number, and ignores SMS and refusals in the streak', () => {
    expect(debtorReachable([], [])).toBe(false);
    const three = [
      past(own, 'unanswered', '08:10'),
      past(own, 'unanswered', '08:20'),
      past(own, 'unanswered', '08:30'),
    ];
    expect(debtorReachable([own], three)).toBe(false);
    expect(
      debtorReachable([own], [...three, past(own, 'sent', '08:40', 'sms'), past(own, 'refused', '08:50')]),
    ).toBe(false);
  });
});

describe('checkConduct properties', () => {
  const channel = fc.constantFrom(...contactChannels);
  const outcome = fc.constantFrom<ContactOutcome>(
    'connected',
    'unanswered',
    'invalid_number',
    'sent',
    'refused',
  );
  const target = fc.record({
    id: fc.constantFrom('own', 'own2', 'mother'),
    role: fc.constantFrom('debtor' as const, 'contact_person' as const),
    numberKey: fc.constantFrom('n1', 'n2', 'n3'),
    status: fc.constantFrom('valid' as const, 'invalid' as const),
    doNotContact: fc.boolean(),
  });
  const minute = fc.integer({ min: 0, max: 1439 });
  const attempt = fc.record({
    minute,
    channel,
    target,
    outcome,
  });
  const input = fc.record({
    minute,
    channel,
    target,
    numbers: fc.array(target, { maxLength: 3 }),
    past: fc.array(attempt, { maxLength: 15 }),
  });
  type Drawn = {
    minute: number;
    channel: ContactChannel;
    target: ContactTargetFacts;
    outcome: ContactOutcome;
  };
  type Drawn2 = {
    minute: number;
    channel: ContactChannel;
    target: ContactTargetFacts;
    numbers: ContactTargetFacts[];
    past: Drawn[];
  };
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const toInput = (i: Drawn2): ConductInput => ({
    now: at(hhmm(i.minute)),
    channel: i.channel,
    target: i.target,
    debtorNumbers: i.numbers.map((n) => ({ ...n, role: 'debtor' as const })),
    history: i.past.map((p) => ({
      at: at(hhmm(p.minute)),
      channel: p.channel,
      targetId: p.target.id,
      targetRole: p.target.role,
      numberKey: p.target.numberKey,
      outcome: p.outcome,
    })),
  });

  it('names the first broken rule in the documented order, and refuses exactly when a rule is broken', () => {
    fc.assert(
      fc.property(input, (i) => {
        const decision = checkConduct(toInput(i));
        if (decision.allowed) return;
        expect(decision.rules.length).toBeGreaterThan(0);
        expect(decision.rule).toBe(decision.rules[0]);
        const order = decision.rules.map((rule) => conductRules.indexOf(rule));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }),
    );
  });

  it('always refuses a do-not-contact target and never allows a contact inside quiet hours without consent', () => {
    fc.assert(
      fc.property(input, (i) => {
        const decision = checkConduct(toInput(i));
        if (i.target.doNotContact) expect(decision).toMatchObject({ allowed: false, rule: 'do_not_contact' });
        if (i.minute < 480 || i.minute >= 1320) expect(decision.allowed).toBe(false);
      }),
    );
  });

  it('adding history never turns a refusal into an allowance (limits only tighten)', () => {
    fc.assert(
      fc.property(input, attempt, (i, extra) => {
        const before = checkConduct(toInput(i));
        // A later attempt on the same day that did not connect: the streak only grows or breaks on
        // a connected one, so leave connected outcomes out of the extra attempt.
        if (extra.outcome === 'connected' || extra.outcome === 'sent') return;
        const after = checkConduct(toInput({ ...i, past: [...i.past, extra] }));
        if (!before.allowed && before.rule !== 'contact_person_while_reachable')
          expect(after.allowed).toBe(false);
      }),
    );
  });
});
