import { assert } from '../assert.ts';

// The unified social credit code of GB 32100-2015 (法人和其他组织统一社会信用代码), 18 characters
// from a 31-character set (the digits and the capitals without I, O, S, V and Z):
//   position 1      the registration authority (登记管理部门代码): 9 market regulation, 5 civil
//                   affairs, 1 establishment offices, … (table below);
//   position 2      the category within that authority (机构类别代码): under 9, 1 enterprise,
//                   2 individual business (个体工商户), 3 farmers' cooperative;
//   positions 3–8   the registering authority's administrative division (GB/T 2260);
//   positions 9–17  the subject identifier (主体标识码, the old GB 11714 organization code);
//   position 18     the check character: C18 = 31 − (Σ Ci × Wi mod 31), Wi = 3^(i−1) mod 31, with
//                   31 written 0 (GB/T 17710 MOD 31-3).
// Callers normalise what people type (trim, upper case) before asking, as for resident IDs.
// The subject identifier's own GB 11714 check digit is not checked: the check character over all
// 17 positions already catches every single mistyped character and every swap of two neighbours
// (31 is prime, 3 a primitive root: the tests prove both), and GB 32100 asks nothing more.

export type SocialCreditCodeCheck =
  | {
      readonly ok: true;
      /** Position 1: the registration authority (登记管理部门). */
      readonly authority: string;
      /** Position 2: the category within the authority (机构类别). */
      readonly category: string;
      /** Positions 3–8: the registering authority's administrative division code. */
      readonly regionCode: string;
      /** Positions 9–17: the subject identifier (the organization code). */
      readonly subjectCode: string;
    }
  | {
      readonly ok: false;
      readonly reason: SocialCreditCodeFailure;
      /** For `check_character`: the character the first 17 call for. */
      readonly expected?: string;
    };

export const socialCreditCodeFailures = [
  'format',
  'check_character',
  'authority_unknown',
  'category_unknown',
  'region_unknown',
] as const;
export type SocialCreditCodeFailure = (typeof socialCreditCodeFailures)[number];

/** The code's character set, in value order: a character's index is its value 0–30. */
export const socialCreditCodeCharacters = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Wi = 3^(i−1) mod 31 for positions 1–17. */
const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * The categories each registration authority registers (GB 32100-2015 Appendix A with amendment
 * XG1-2016): 1 机构编制 (offices, public institutions, mass organizations), 2 外交, 3 司法行政
 * (law firms, notaries, …), 4 文化, 5 民政 (social organizations, private non-enterprise units,
 * foundations), 6 旅游, 7 宗教, 8 工会, 9 工商/市场监管 (enterprises, individual businesses,
 * farmers' cooperatives), A 中央军委改革和编制办公室, N 农业 (collective economic organizations),
 * Y other (one category, 1).
 */
const categoriesByAuthority: ReadonlyMap<string, string> = new Map([
  ['1', '1239'],
  ['2', '19'],
  ['3', '123459'],
  ['4', '19'],
  ['5', '1239'],
  ['6', '129'],
  ['7', '129'],
  ['8', '19'],
  ['9', '123'],
  ['A', '19'],
  ['N', '1239'],
  ['Y', '1'],
]);

/**
 * Province-level prefixes of GB/T 2260 (the same as a resident ID's: 11–15, 21–23, 31–37, 41–46,
 * 50–54, 61–65, 71, 81, 82). A registering authority may sit at any level, so a province's own
 * code (350000) is a region here, and so is 100000, the national level (central authorities).
 */
const provincePrefixes: ReadonlySet<string> = new Set([
  ...['11', '12', '13', '14', '15'],
  ...['21', '22', '23'],
  ...['31', '32', '33', '34', '35', '36', '37'],
  ...['41', '42', '43', '44', '45', '46'],
  ...['50', '51', '52', '53', '54'],
  ...['61', '62', '63', '64', '65'],
  ...['71', '81', '82'],
]);
const nationalRegionCode = '100000';

const charset = '[0-9A-HJ-NP-RT-UW-Y]';
const first17Pattern = new RegExp(`^${charset}{2}\\d{6}${charset}{9}$`);
const codePattern = new RegExp(`^${charset}{2}\\d{6}${charset}{10}$`);

/** The check character of the first 17 characters, or undefined when they are not of the code's form. */
export function socialCreditCheckCharacter(first17: string): string | undefined {
  if (!first17Pattern.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i += 1)
    sum += socialCreditCodeCharacters.indexOf(first17.charAt(i)) * (weights[i] ?? 0);
  return socialCreditCodeCharacters.charAt((31 - (sum % 31)) % 31);
}

/**
 * Checks an 18-character unified social credit code: its form, check character, registration
 * authority, category and region. The first failing check, in that order, is the reason.
 */
export function socialCreditCodeCheck(code: string): SocialCreditCodeCheck {
  if (!codePattern.test(code)) return { ok: false, reason: 'format' };
  const expected = socialCreditCheckCharacter(code.slice(0, 17));
  assert(expected !== undefined, 'socialCreditCodeCheck: the pattern guarantees the first 17');
  if (code.charAt(17) !== expected) return { ok: false, reason: 'check_character', expected };
  const authority = code.charAt(0);
  const categories = categoriesByAuthority.get(authority);
  if (categories === undefined) return { ok: false, reason: 'authority_unknown' };
  const category = code.charAt(1);
  if (!categories.includes(category)) return { ok: false, reason: 'category_unknown' };
  const regionCode = code.slice(2, 8);
  if (regionCode !== nationalRegionCode && !provincePrefixes.has(regionCode.slice(0, 2)))
    return { ok: false, reason: 'region_unknown' };
  return { ok: true, authority, category, regionCode, subjectCode: code.slice(8, 17) };
}
