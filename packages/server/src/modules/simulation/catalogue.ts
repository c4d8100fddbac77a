import type { ProductDefinition, StrategyDefinition } from '@fenqi/core';
import type { MerchantScenario } from '../merchants/service.ts';

// What the simulated lender sells and how it decides (docs/simulation.md, "The business"): a
// product for each repayment method the core supports, four merchants in the four scenarios the
// merchant sandbox shows, a credit policy over features the platform computes and data a vendor
// sells, a bank co-lender beside the own funds, and a collections strategy. Everything is written
// as an operator would write it, and goes through the same maker-checker steps.

export const grades = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof grades)[number];

const rates = (a: string, b: string, c: string, d: string, kind: 'annual_rate' | 'period_fee_rate') =>
  [
    { grade: 'A', kind, rate: a },
    { grade: 'B', kind, rate: b },
    { grade: 'C', kind, rate: c },
    { grade: 'D', kind, rate: d },
  ] as const;

export const products = {
  education: {
    code: 'edu-installment',
    name: { zh: '教育培训分期', en: 'Education installments' },
    method: 'equal_installment',
    termsOffered: [6, 12],
    prices: rates('0.1200', '0.1500', '0.1800', '0.2100', 'annual_rate'),
    graceDays: 3,
    prepayment: { allowed: true, feeRate: '0.01', minTermsPaid: 1 },
    amountMinMinor: '100000',
    amountMaxMinor: '5000000',
    coolingOffDays: 7,
  },
  travel: {
    code: 'travel-flat',
    name: { zh: '旅游分期', en: 'Travel installments' },
    method: 'flat_fee',
    termsOffered: [3, 6, 12],
    prices: rates('0.0060', '0.0070', '0.0080', '0.0090', 'period_fee_rate'),
    graceDays: 3,
    prepayment: { allowed: true, feeRate: '0.00', minTermsPaid: 1 },
    amountMinMinor: '100000',
    amountMaxMinor: '3000000',
    coolingOffDays: 7,
  },
  home: {
    code: 'home-principal',
    name: { zh: '家装分期', en: 'Home renovation installments' },
    method: 'equal_principal',
    termsOffered: [12, 24],
    prices: rates('0.1000', '0.1300', '0.1600', '0.1800', 'annual_rate'),
    graceDays: 5,
    prepayment: { allowed: true, feeRate: '0.02', minTermsPaid: 3 },
    amountMinMinor: '1000000',
    amountMaxMinor: '10000000',
    coolingOffDays: 7,
  },
  electronics: {
    code: '3c-interest-first',
    name: { zh: '数码先息后本', en: 'Electronics, interest first' },
    method: 'interest_first',
    termsOffered: [3, 6],
    prices: rates('0.1200', '0.1500', '0.1800', '0.2000', 'annual_rate'),
    prepayment: { allowed: true, feeRate: '0.00' },
    amountMinMinor: '100000',
    amountMaxMinor: '2000000',
    coolingOffDays: 7,
  },
  cashDaily: {
    code: 'cash-daily',
    name: { zh: '随借随还', en: 'Revolving cash, daily interest' },
    method: 'daily',
    termsOffered: [3, 6],
    prices: rates('0.1000', '0.1400', '0.1800', '0.2100', 'annual_rate'),
    prepayment: { allowed: true },
    amountMinMinor: '50000',
    amountMaxMinor: '3000000',
    revolving: true,
  },
  cashBullet: {
    code: 'cash-bullet',
    name: { zh: '30天一次性还本付息', en: 'Revolving cash, 30 days' },
    method: 'bullet',
    frequency: 'days:30',
    termsOffered: [1],
    prices: rates('0.1200', '0.1500', '0.1800', '0.2100', 'annual_rate'),
    prepayment: { allowed: true },
    amountMinMinor: '50000',
    amountMaxMinor: '1000000',
    revolving: true,
  },
} satisfies Record<string, ProductDefinition>;

export type ProductKey = keyof typeof products;

export const cashProducts = [products.cashDaily.code, products.cashBullet.code] as const;

export type MerchantSpec = {
  key: string;
  name: string;
  legalName: string;
  scenario: MerchantScenario;
  /** The 17 characters before the check character of its unified social credit code. */
  creditCode17: string;
  discountRate: string;
  product: ProductKey;
  bankName: string;
  /** What borrowers buy there: item names and the price range in yuan. */
  items: readonly string[];
  amountYuan: readonly [number, number];
};

export const merchants: readonly MerchantSpec[] = [
  {
    key: 'education',
    name: '启航教育',
    legalName: '深圳市启航教育科技有限公司',
    scenario: 'education',
    creditCode17: '91440300MA5FQED01',
    discountRate: '0.030',
    product: 'education',
    bankName: '招商银行深圳分行',
    items: ['雅思精讲课程', 'Python 全栈训练营', '注册会计师全程班', '少儿编程年卡', '考研数学强化班'],
    amountYuan: [3000, 28000],
  },
  {
    key: 'travel',
    name: '远方旅行',
    legalName: '上海远方国际旅行社有限公司',
    scenario: 'travel',
    creditCode17: '91310000MA1FQTR02',
    discountRate: '0.020',
    product: 'travel',
    bankName: '交通银行上海分行',
    items: ['云南七日游', '日本关西五日自由行', '新疆环线十日游', '海南亲子度假套餐', '欧洲四国十二日游'],
    amountYuan: [2000, 26000],
  },
  {
    key: 'home',
    name: '安居装饰',
    legalName: '杭州安居装饰工程有限公司',
    scenario: 'home_renovation',
    creditCode17: '91330100MA2FQHM03',
    discountRate: '0.015',
    product: 'home',
    bankName: '中国工商银行杭州分行',
    items: ['厨房整体翻新', '卫生间改造', '全屋定制衣柜', '旧房翻新半包', '地暖安装'],
    amountYuan: [12000, 90000],
  },
  {
    key: 'electronics',
    name: '极客数码',
    legalName: '北京极客数码科技有限公司',
    scenario: 'electronics_3c',
    creditCode17: '91110000MA0FQEL04',
    discountRate: '0.010',
    product: 'electronics',
    bankName: '中国银行北京分行',
    items: ['智能手机 256GB', '轻薄笔记本电脑', '平板电脑', '降噪耳机', '智能手表'],
    amountYuan: [1500, 14000],
  },
];

/** The bank co-lender: funds a share of education and home-renovation loans (docs/funding.md). */
export const bankFunder = {
  code: 'BANK_HUAXIA',
  name: '华夏联合银行（模拟）',
  // Ample for any run: a fixed-share rule must never meet an exhausted quota (the split would
  // then depend on which loan came first).
  quotaMinor: 50_000_000_000n,
  shares: { 'edu-installment': 3000, 'home-principal': 5000 } as Record<string, number>,
};

/**
 * The credit policy: hard rules on what the platform computes (age, devices shared, applications)
 * and on what the data vendor answers (lenders applied to, the bureau score), a scorecard, and four
 * grades with their offers. A thin bureau file and older applicants go to manual review.
 */
export function creditPolicy(): Record<string, unknown> {
  const all = Object.values(products).map((p) => p.code);
  return {
    id: 'fenqi-retail',
    version: 1,
    currency: 'CNY',
    description: 'Retail consumer credit: merchant installments and revolving cash (simulated business)',
    eligibility: { ageMin: 18, ageMax: 60 },
    features: {
      age: { type: 'integer' },
      kycLevel: { type: 'string' },
      applications30d: { type: 'integer' },
      deviceSharedCustomers: { type: 'integer' },
      multiLendingOrgs30d: { type: 'integer' },
      bureauScore: { type: 'integer', nullable: true },
      blacklisted: { type: 'boolean' },
    },
    rules: [
      {
        id: 'R001',
        when: { feature: 'blacklisted', op: '==', value: true },
        action: 'reject',
        reason: 'R001_BLACKLISTED',
      },
      {
        id: 'R002',
        when: { feature: 'deviceSharedCustomers', op: '>=', value: 2 },
        action: 'reject',
        reason: 'R002_DEVICE_SHARED',
      },
      {
        id: 'R003',
        when: { feature: 'multiLendingOrgs30d', op: '>=', value: 4 },
        action: 'reject',
        reason: 'R003_MULTI_LENDING',
      },
      {
        id: 'R004',
        when: { feature: 'bureauScore', op: '<', value: 540 },
        action: 'reject',
        reason: 'R004_BUREAU_SCORE_LOW',
      },
      {
        id: 'R005',
        when: { feature: 'applications30d', op: '>=', value: 3 },
        action: 'reject',
        reason: 'R005_TOO_MANY_APPLICATIONS',
      },
      {
        id: 'R006',
        when: { feature: 'bureauScore', op: 'is_null', value: true },
        action: 'review',
        reason: 'R006_NO_BUREAU_FILE',
      },
      {
        id: 'R007',
        when: { feature: 'age', op: '>=', value: 55 },
        action: 'review',
        reason: 'R007_OLDER_APPLICANT',
      },
    ],
    scorecard: {
      basePoints: 400,
      characteristics: [
        {
          feature: 'bureauScore',
          bins: [
            { range: [null, 600], points: 120 },
            { range: [600, 660], points: 170 },
            { range: [660, 720], points: 220 },
            { range: [720, 780], points: 270 },
            { range: [780, null], points: 310 },
          ],
          missingPoints: 150,
        },
        {
          feature: 'age',
          bins: [
            { range: [null, 23], points: -10 },
            { range: [23, 30], points: 10 },
            { range: [30, 45], points: 30 },
            { range: [45, null], points: 20 },
          ],
          missingPoints: 0,
        },
        {
          feature: 'multiLendingOrgs30d',
          bins: [
            { range: [null, 1], points: 20 },
            { range: [1, 2], points: 0 },
            { range: [2, null], points: -30 },
          ],
          missingPoints: 0,
        },
        {
          feature: 'kycLevel',
          bins: [{ values: ['card_bound'], points: 20 }],
          missingPoints: 0,
          otherPoints: 0,
        },
      ],
    },
    grades: [
      { grade: 'A', minScore: 700 },
      { grade: 'B', minScore: 650 },
      { grade: 'C', minScore: 600 },
      { grade: 'D', minScore: 560 },
    ],
    belowLowestGrade: 'S001_SCORE_BELOW_LOWEST_GRADE',
    offers: [
      {
        grade: 'A',
        creditLimit: '10000000',
        price: { kind: 'annual_rate', rate: '0.1200' },
        products: all,
      },
      {
        grade: 'B',
        creditLimit: '5000000',
        price: { kind: 'annual_rate', rate: '0.1500' },
        products: all,
      },
      {
        grade: 'C',
        creditLimit: '2500000',
        price: { kind: 'annual_rate', rate: '0.1800' },
        products: [
          products.education.code,
          products.travel.code,
          products.electronics.code,
          products.cashBullet.code,
        ],
      },
      {
        grade: 'D',
        creditLimit: '1200000',
        price: { kind: 'annual_rate', rate: '0.2100' },
        products: [products.travel.code, products.electronics.code],
      },
    ],
  };
}

/** The collections book: agents work every overdue bucket, reminders by SMS from the first day. */
export const collectionsQueues = [
  { code: 'early', name: '早期催收 M1' },
  { code: 'middle', name: '中期催收 M2–M3' },
  { code: 'late', name: '后期催收 M4+' },
] as const;

export const collectionsStrategy: StrategyDefinition = {
  rules: [
    {
      buckets: ['M1'],
      queue: 'early',
      handler: 'agent',
      steps: [
        { dpdFrom: 1, action: 'sms_reminder', channel: 'sms' },
        { dpdFrom: 3, action: 'agent_call', channel: 'voice' },
        { dpdFrom: 3, action: 'promise_to_pay' },
        { dpdFrom: 15, action: 'sms_reminder', channel: 'sms' },
      ],
    },
    {
      buckets: ['M2', 'M3'],
      queue: 'middle',
      handler: 'agent',
      steps: [
        { dpdFrom: 31, action: 'sms_reminder', channel: 'sms' },
        { dpdFrom: 31, action: 'agent_call', channel: 'voice' },
        { dpdFrom: 31, action: 'promise_to_pay' },
      ],
    },
    {
      buckets: ['M4', 'M5', 'M6', 'M7'],
      queue: 'late',
      handler: 'agent',
      steps: [
        { dpdFrom: 91, action: 'sms_reminder', channel: 'sms' },
        { dpdFrom: 91, action: 'agent_call', channel: 'voice' },
      ],
    },
  ],
};

/** The staff of the simulated lender: one user of each built-in role, three collectors. */
export const staffUsers = [
  { username: 'admin', displayName: '系统管理员 Admin', roles: ['admin'] },
  { username: 'security', displayName: '安全管理员 Security officer', roles: ['admin'] },
  { username: 'analyst', displayName: '风控分析师 Risk analyst', roles: ['risk_analyst'] },
  { username: 'approver', displayName: '审批人 Approver', roles: ['approver'] },
  { username: 'operator', displayName: '运营 Operator', roles: ['operator'] },
  { username: 'finance', displayName: '财务 Finance', roles: ['finance'] },
  { username: 'collector1', displayName: '催收员 Collector 1', roles: ['collector'] },
  { username: 'collector2', displayName: '催收员 Collector 2', roles: ['collector'] },
  { username: 'collector3', displayName: '催收员 Collector 3', roles: ['collector'] },
  { username: 'auditor', displayName: '审计 Auditor', roles: ['auditor'] },
] as const;

export const queueMembers: Record<string, readonly string[]> = {
  early: ['collector1', 'collector2'],
  middle: ['collector2', 'collector3'],
  late: ['collector3'],
};
