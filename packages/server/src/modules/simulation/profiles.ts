import { residentIdCheckCharacter } from '@fenqi/core';
import type { ExternalData } from '../risk/service.ts';
import type { ProductKey } from './catalogue.ts';
import { Random } from './prng.ts';

// Who the borrowers are (docs/simulation.md, "Borrowers"): drawn from the seed, one stream per
// borrower, so the same seed always gives the same people. A hidden risk tier drives what the
// data vendor reports about them (bureau score, lenders applied to) and how they repay; age,
// region and income vary independently around it. Identity data is fictitious but well-formed:
// resident ID numbers with a province region and a valid check character, 11-digit mobile
// numbers, debit card numbers whose last four digits are the borrower's own (the channel's
// balance rules match cards by them).

export type RiskTier = 'prime' | 'near' | 'sub' | 'fraud';

export type Behaviour = {
  /** Chance an installment is paid a few days before its due date, by hand. */
  early: number;
  /** Chance it is paid late (the card is empty on the due date), and how late. */
  late: number;
  lateDays: readonly (readonly [readonly [number, number], number])[];
  /** Chance the borrower stops paying a loan for good (at its first installments most often). */
  default: number;
  /** Chance a loan is paid off early, or partly prepaid. */
  payoff: number;
  prepay: number;
};

export const behaviours: Record<RiskTier, Behaviour> = {
  prime: {
    early: 0.25,
    late: 0.025,
    lateDays: [
      [[1, 5], 0.8],
      [[6, 20], 0.2],
    ],
    default: 0.01,
    payoff: 0.14,
    prepay: 0.08,
  },
  near: {
    early: 0.15,
    late: 0.12,
    lateDays: [
      [[1, 7], 0.65],
      [[8, 30], 0.27],
      [[31, 60], 0.08],
    ],
    default: 0.05,
    payoff: 0.09,
    prepay: 0.05,
  },
  sub: {
    early: 0.08,
    late: 0.22,
    lateDays: [
      [[1, 7], 0.5],
      [[8, 30], 0.3],
      [[31, 75], 0.15],
      [[76, 120], 0.05],
    ],
    default: 0.16,
    payoff: 0.04,
    prepay: 0.02,
  },
  fraud: {
    early: 0,
    late: 0.1,
    lateDays: [[[1, 30], 1]],
    default: 0.6,
    payoff: 0,
    prepay: 0,
  },
};

export type Profile = {
  index: number;
  name: string;
  phone: string;
  idNumber: string;
  birthDate: string;
  region: string;
  monthlyIncomeYuan: number;
  tier: RiskTier;
  external: ExternalData;
  deviceId: string;
  /** The day (0 = the first simulated day) the borrower signs up and applies. */
  arrivalDay: number;
  /** Binds a card before applying (their KYC level is then card_bound). */
  cardFirst: boolean;
  /** What they buy most: a merchant scenario, or cash. */
  interest: ProductKey | 'cash';
  /** The debit card's number; its last four digits are unique among the borrowers. */
  cardNumber: string;
  cardSuffix: string;
  bankName: string;
};

const surnames = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '高',
  '林',
  '罗',
  '郑',
  '梁',
  '谢',
  '宋',
  '唐',
  '许',
  '韩',
  '冯',
  '邓',
  '曹',
  '彭',
  '曾',
  '萧',
  '田',
];
const given = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
  '平',
  '刚',
  '桂英',
  '晨',
  '宇',
  '浩然',
  '欣怡',
  '子涵',
  '梓萱',
  '思远',
  '嘉怡',
  '俊杰',
  '雨桐',
  '一诺',
  '文博',
  '佳琪',
  '志强',
  '海燕',
  '建华',
  '晓东',
  '丹',
  '鹏',
  '婷',
  '昊天',
];
/** Province-level region codes with a district (GB/T 2260), and how many borrowers live there. */
const regions: readonly (readonly [string, string, number])[] = [
  ['1101', '北京', 12],
  ['3101', '上海', 12],
  ['4401', '广州', 10],
  ['4403', '深圳', 11],
  ['3301', '杭州', 8],
  ['5101', '成都', 9],
  ['4201', '武汉', 8],
  ['6101', '西安', 6],
  ['3201', '南京', 7],
  ['3702', '青岛', 5],
  ['4101', '郑州', 6],
  ['5001', '重庆', 6],
];
const banks = [
  '工商银行',
  '建设银行',
  '农业银行',
  '中国银行',
  '招商银行',
  '交通银行',
  '浦发银行',
  '兴业银行',
];

const tiers: readonly (readonly [RiskTier, number])[] = [
  ['prime', 0.4],
  ['near', 0.35],
  ['sub', 0.2],
  ['fraud', 0.05],
];

/** Last four digits no two borrowers share (the channel's built-in failures 0343–0346 left out). */
export function cardSuffixOf(index: number): string {
  const reserved = [343, 344, 345, 346];
  let n = index % (10_000 - reserved.length);
  for (const r of reserved) if (n >= r) n += 1;
  return String(n).padStart(4, '0');
}

export const borrowersMax = 9_000;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export function borrowerProfile(seed: number, index: number, startYear: number, days: number): Profile {
  const r = Random.stream(seed, 'borrower', index);
  const tier = r.weighted(tiers);
  const age = r.weighted([
    [r.int(20, 24), 0.18],
    [r.int(25, 34), 0.42],
    [r.int(35, 44), 0.25],
    [r.int(45, 54), 0.11],
    [r.int(55, 62), 0.04],
  ]);
  const month = r.int(1, 12);
  const day = r.int(1, 28);
  const birthYear = startYear - age - 1;
  const birthDate = `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const [prefix, city] = r.weighted(regions.map(([code, name, weight]) => [[code, name] as const, weight]));
  // Region + district (01–99 by the thousands of the index) + birth date + a sequence of the
  // index: no two borrowers share an ID number.
  const district = String(1 + (Math.floor(index / 1000) % 99)).padStart(2, '0');
  const first17 = `${prefix}${district}${birthDate.replaceAll('-', '')}${String(index % 1000).padStart(3, '0')}`;
  const idNumber = `${first17}${residentIdCheckCharacter(first17)}`;
  const incomeBase = { prime: 14000, near: 9000, sub: 6000, fraud: 5000 }[tier];
  const youth = age < 24 ? 0.5 : 1;
  const monthlyIncomeYuan =
    Math.round(clamp(incomeBase * youth * Math.exp(0.45 * r.normal()), 2500, 90000) / 100) * 100;
  const scoreMean = { prime: 765, near: 690, sub: 615, fraud: 590 }[tier];
  const thinFile = r.chance(age < 25 ? 0.12 : 0.04);
  const bureauScore = thinFile ? null : Math.round(clamp(scoreMean + 40 * r.normal(), 450, 849));
  const multiLending = {
    prime: r.weighted([
      [0, 0.75],
      [1, 0.25],
    ]),
    near: r.weighted([
      [0, 0.5],
      [1, 0.35],
      [2, 0.15],
    ]),
    sub: r.int(1, 4),
    fraud: r.int(2, 6),
  }[tier];
  // Fraud rings apply from one device: the third to do so is refused (R002).
  const deviceId = tier === 'fraud' ? `ring-${seed}-${Math.floor(index / 7)}` : `dev-${seed}-${index}`;
  // Half the book signs up in the first two months; the rest through the year.
  const arrivalDay = r.chance(0.45) ? r.int(0, Math.min(59, days - 1)) : r.int(0, Math.max(0, days - 15));
  const interest = r.weighted<ProductKey | 'cash'>([
    ['education', 0.22],
    ['travel', 0.2],
    ['home', 0.12],
    ['electronics', 0.28],
    ['cash', 0.18],
  ]);
  const suffix = cardSuffixOf(index);
  const cardNumber = `622202${String(r.int(0, 999_999_999)).padStart(9, '0')}${suffix}`;
  return {
    index,
    name: `${r.pick(surnames)}${r.pick(given)}`,
    phone: `1${r.pick(['35', '36', '38', '39', '50', '58', '86', '88'])}${String(index).padStart(8, '0')}`,
    idNumber,
    birthDate,
    region: city,
    monthlyIncomeYuan,
    tier,
    external: { multiLendingOrgs30d: multiLending, bureauScore, provider: 'simulation' },
    deviceId,
    arrivalDay,
    cardFirst: r.chance(0.55),
    interest,
    cardNumber,
    cardSuffix: suffix,
    bankName: r.pick(banks),
  };
}
