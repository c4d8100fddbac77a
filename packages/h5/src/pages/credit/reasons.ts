// The reasons an application gives are the policy's codes (docs/risk.md: `R001_UNDER_AGE`, …),
// written by whoever writes the policy; the API answers no text for them. The borrower reads the
// kind of reason, recognised from the code's words, never the rule itself: rules about fraud
// (blacklists, devices, networks) are told as the overall assessment, so that they cannot be
// probed.

export type ReasonKind =
  | 'age'
  | 'identity'
  | 'multiLending'
  | 'applications'
  | 'overdue'
  | 'bureau'
  | 'income'
  | 'exposure'
  | 'review'
  | 'overall';

const kinds: [RegExp, ReasonKind][] = [
  [/BLACKLIST|COURT|FRAUD|DEVICE|IP_|_IP|EMULATOR|PROXY/, 'overall'],
  [/EXPOSURE|CAP_REACHED/, 'exposure'],
  [/AGE|RETIRED|OLDER|YOUNG/, 'age'],
  [/KYC|ID_EXPIR|IDENTITY|REAL_NAME/, 'identity'],
  [/MULTI_LENDING|MULTI_LOAN/, 'multiLending'],
  [/APPLICATION|VELOCITY/, 'applications'],
  [/OVERDUE|DELINQ|DPD/, 'overdue'],
  [/BUREAU|SCORE|THIN|GRADE/, 'bureau'],
  [/INCOME|STUDENT|UNEMPLOYED|EMPLOY|AFFORDAB/, 'income'],
  [/^V\d/, 'review'],
];

export function reasonKind(code: string): ReasonKind {
  const upper = code.toUpperCase();
  return kinds.find(([pattern]) => pattern.test(upper))?.[1] ?? 'overall';
}

/**
 * The distinct kinds of a rejection's codes, in their order (several rules may say the same to
 * the borrower). An application lists every rule that hit, so a rejection can carry codes that
 * only asked for a review (`…_REVIEW` by the naming of docs/risk.md); those are not why it was
 * rejected and are left out, unless nothing else is left.
 */
export function reasonKinds(codes: readonly string[]): ReasonKind[] {
  const causes = codes.filter((code) => !/_REVIEW$/i.test(code));
  return [...new Set((causes.length > 0 ? causes : codes).map(reasonKind))];
}
