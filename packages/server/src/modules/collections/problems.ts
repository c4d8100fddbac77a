import type { ConductRule } from '@fenqi/core';
import { AppError } from '../../platform/errors.ts';

// Collections' expected failures, each a catalogued code (platform/errors.ts, "Collections").

const ruleText: Record<ConductRule, { en: string; zh: string }> = {
  do_not_contact: { en: 'the target asked never to be contacted', zh: '该联系对象已登记为永久不联系' },
  number_invalid: { en: 'the number is marked invalid', zh: '该号码已标记为无效' },
  contact_person_while_reachable: {
    en: 'a contact person may be reached only while the debtor is unreachable',
    zh: '债务人本人可联系时不得联系其联系人',
  },
  not_debtor_disclosure: {
    en: 'a contact person may not be told of the debt: only an agent’s voice call may reach them',
    zh: '不得向联系人透露债务信息，仅可由坐席语音联系',
  },
  quiet_hours: {
    en: 'no contact between 22:00 and 08:00 in the debtor’s local time',
    zh: '债务人当地时间22:00至次日08:00不得催收',
  },
  connected_voice_limit: {
    en: 'at most 3 connected voice contacts per person per day',
    zh: '每人每日接通的语音催收不得超过3次',
  },
  unanswered_dial_limit: {
    en: 'at most 6 unanswered dials per number per day',
    zh: '每个号码每日未接通拨打不得超过6次',
  },
};

export function contactRefused(
  rule: ConductRule,
  rules: readonly ConductRule[],
  attemptId: string,
): AppError {
  const text = ruleText[rule];
  return new AppError('contact_refused', `Refused by the rule ${rule}: ${text.en}. ${text.zh}。`, {
    extensions: { rule, rules: [...rules], attemptId },
  });
}

export const notFound = (what: string, id: string) => new AppError('not_found', `There is no ${what} ${id}.`);

export function caseClosed(caseId: string, state: string): AppError {
  return new AppError('collections_case_closed', `Case ${caseId} is ${state.replace(/_/g, ' ')}.`, {
    extensions: { state },
  });
}

export function transitionInvalid(caseId: string, state: string, event: string): AppError {
  return new AppError(
    'collections_case_transition_invalid',
    `Case ${caseId} is ${state.replace(/_/g, ' ')}: it cannot ${event.replace(/_/g, ' ')}.`,
    { extensions: { state, event } },
  );
}

export function assigneeInvalid(why: string, path: string): AppError {
  return new AppError('collections_assignee_invalid', `The case cannot be assigned: ${why}.`, {
    errors: [{ in: 'body', path, message: why }],
  });
}

export function agencyReviewLapsed(agencyId: string, reviewDate: string): AppError {
  return new AppError(
    'agency_review_lapsed',
    `Agency ${agencyId} was last reviewed on ${reviewDate}, over a year ago: review it before it takes new cases.`,
    { extensions: { agencyId, reviewDate } },
  );
}

export function agencySuspended(agencyId: string): AppError {
  return new AppError('agency_suspended', `Agency ${agencyId} is suspended.`, { extensions: { agencyId } });
}

export function fieldInvalid(
  code: 'promise_invalid' | 'strategy_invalid' | 'collections_waiver_invalid',
  detail: string,
  errors: { path: string; message: string }[],
): AppError {
  return new AppError(code, detail, { errors: errors.map((e) => ({ in: 'body' as const, ...e })) });
}
