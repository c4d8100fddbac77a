import { z } from 'zod';
import { text } from '../../../platform/http/text.ts';
import { type RealNameOutcome, realNameOutcomes } from '../tables.ts';

// The simulated real-name provider answers by rules, first match wins, as the payment channel
// simulator does (docs/kyc.md): a test or a demo makes it refuse someone on purpose. A rule
// matches when every field it gives matches; no matching rule is a match (一致).

export const simRulesMax = 100;

export const simRuleSchema = z.strictObject({
  match: z.strictObject({
    nameContains: text().min(1).max(50).optional(),
    idNumberSuffix: text()
      .regex(/^[0-9X]{1,18}$/, 'must be 1 to 18 of 0-9 and X (the end of an ID number)')
      .optional(),
  }),
  outcome: z.enum(realNameOutcomes),
});
export const simRulesSchema = z.array(simRuleSchema).max(simRulesMax);
export type SimRule = z.output<typeof simRuleSchema>;

export function simulatedOutcome(
  rules: readonly SimRule[],
  query: { name: string; idNumber: string },
): RealNameOutcome {
  const rule = rules.find(
    ({ match }) =>
      (match.nameContains === undefined || query.name.includes(match.nameContains)) &&
      (match.idNumberSuffix === undefined || query.idNumber.endsWith(match.idNumberSuffix)),
  );
  return rule?.outcome ?? 'match';
}
