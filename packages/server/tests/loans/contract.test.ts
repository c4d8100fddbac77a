import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AssertionError } from '@fenqi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ContractData } from '../../src/modules/loans/contract/index.ts';
import {
  capitalAmountCny,
  contractDigest,
  formatMoney,
  formatPercent,
  methodName,
  renderContractPdf,
  sampleContractData,
} from '../../src/modules/loans/contract/index.ts';

// The contract PDF read back as a borrower would read it: poppler's pdftotext (Debian package
// poppler-utils) extracts the embedded Chinese text, which proves the CJK font is embedded with a
// working ToUnicode map. Without pdftotext these tests fail — they never skip.

const pdftotext = '/usr/bin/pdftotext';

function pdfText(pdf: Buffer, layout = false): string {
  return execFileSync(pdftotext, [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', '-', '-'], {
    input: pdf,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Text without any white space, so a phrase that wraps over two lines still matches. */
const compact = (text: string) => text.replace(/\s+/g, '');
/** pdftotext separates pages with a form feed, and ends the last page with one. */
const pageCount = (text: string) => text.split('\f').length - 1;

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

beforeAll(() => {
  if (!existsSync(pdftotext)) {
    throw new Error(
      `${pdftotext} is missing: install poppler-utils (apt-get install poppler-utils) to check the contract PDFs`,
    );
  }
});

describe('a 12-installment merchant contract', () => {
  const data = sampleContractData({ termCount: 12 });
  let pdf: Buffer;
  let text: string;
  let layout: string;

  beforeAll(async () => {
    pdf = await renderContractPdf(data);
    text = compact(pdfText(pdf));
    layout = pdfText(pdf, true);
  });

  it('is a PDF with the CJK font embedded as a subset', () => {
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Regular/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Bold/);
    expect(raw).toContain('/FontFile3');
    // The whole font is ~8 MB; the subsets of the glyphs one contract uses are a few hundred KB.
    expect(pdf.length).toBeLessThan(400_000);
  });

  it('names the title, the contract number and the signing date', () => {
    expect(text).toContain('分期付款合同');
    expect(text).toContain('合同编号：HTL20260314SAMPLE012');
    expect(text).toContain('签订日期：2026-03-14');
    expect(text).toContain('教育分期（产品代码EDU-EI，版本3）');
  });

  it('names the parties: lender, funders with their shares, borrower masked, merchant and scenario', () => {
    expect(text).toContain('贷款人：分期示范消费金融有限公司');
    expect(text).toContain('分期示范消费金融有限公司（自有资金）：出资比例70.00%，对应借款本金8,400.00元');
    expect(text).toContain(
      '示范商业银行股份有限公司（合作银行联合出资）：出资比例30.00%，对应借款本金3,600.00元',
    );
    expect(text).toContain('借款人：张三身份证号码：110***********123X手机号码：138****5678');
    expect(text).toContain('商户（收款方）：北京示范教育科技有限公司消费场景：教育培训');
    expect(text.indexOf('贷款人：')).toBeLessThan(text.indexOf('借款人：'));
  });

  it('states the amount in figures and capital numerals, the purpose and the payout to the merchant', () => {
    expect(text).toContain('借款本金：人民币12,000.00元（大写：人民币壹万贰仟元整）');
    expect(text).toContain('实际放款金额：12,000.00元');
    expect(text).toContain('借款用途：支付职业技能培训课程费用');
    expect(text).toContain('直接支付至商户北京示范教育科技有限公司的结算账户');
  });

  it('states the term, the method by its Chinese name and the first and last due dates', () => {
    expect(text).toContain('共12期，按月还款；首期还款日2026-04-14，末期（到期）还款日2027-03-14');
    expect(text).toContain('还款方式：等额本息');
  });

  it('discloses both annualized rates as percentages with the calculation method (PBOC 2021 No. 3)', () => {
    // The rates of the rounded installments, from core's scheduleApr: just above the nominal 18 %.
    expect(data.annualizedRates).toEqual({ simple: '0.180004', irr: '0.195623' });
    expect(text).toContain('借款年利率：18.00%（单利）');
    expect(text).toContain('年化利率（内部收益率法，复利计算）：19.56%；年化利率（单利计算）：18.00%');
    expect(text).toContain('中国人民银行公告〔2021〕第3号');
    expect(text).toContain('复利年化利率=（1+r）^n−1，单利年化利率=r×n');
    expect(text).toContain('应还总额13,201.95元');
    expect(text).toContain('利息合计1,201.95元');
  });

  it('lists every installment with its due date, parts, total and remaining balance on one row', () => {
    const lines = layout.split('\n');
    for (const row of data.installments) {
      const cells = [
        String(row.number),
        row.dueDate,
        formatMoney(row.principalMinor, 'CNY'),
        formatMoney(row.interestMinor, 'CNY'),
        formatMoney(row.feeMinor, 'CNY'),
        formatMoney(row.totalMinor, 'CNY'),
        formatMoney(row.balanceMinor, 'CNY'),
      ];
      const pattern = new RegExp(`^\\s*${cells.map(escaped).join('\\s+')}\\s*$`);
      expect(
        lines.filter((line) => pattern.test(line)),
        `installment ${row.number}`,
      ).toHaveLength(1);
    }
    expect(layout).toMatch(/^\s*1\s+2026-04-14\s+920\.16\s+180\.00\s+0\.00\s+1,100\.16\s+11,079\.84\s*$/m);
    expect(layout).toMatch(/^\s*12\s+2027-03-14\s+1,083\.93\s+16\.26\s+0\.00\s+1,100\.19\s+0\.00\s*$/m);
    expect(layout).toMatch(/^\s*合计\s+12,000\.00\s+1,201\.95\s+0\.00\s+13,201\.95\s*$/m);
  });

  it('states the penalty rate and the grace days', () => {
    expect(text).toContain('每期还款日后3日为宽限期');
    expect(text).toContain('逾期罚息年利率为27.00%');
  });

  it('states the prepayment terms and fee, and the cooling-off days', () => {
    expect(text).toContain('借款人可以申请提前偿还部分或全部借款，但须已按期足额偿还不少于1期');
    expect(text).toContain('借款人应按提前偿还本金的1.00%支付提前还款手续费');
    expect(text).toContain('自本合同成立之日起7日内为冷静期');
    expect(text).toContain('贷款人不收取任何利息和费用');
  });

  it('names the law, the court and every consent with its version', () => {
    expect(text).toContain('第八条争议解决');
    expect(text).toContain('向贷款人住所地有管辖权的人民法院提起诉讼');
    expect(text).toContain('《个人消费贷款合同条款》（版本2026.03）');
    expect(text).toContain('《征信查询及报送授权书》（版本2025.11）');
    expect(text).toContain('《个人信息处理授权书》（版本2026.01）');
    expect(text).toContain('借款人授权贷款人在贷前审查、贷后管理中查询借款人的信用报告');
  });

  it('ends with the electronic acceptance: when (Beijing time), by whom and how', () => {
    expect(text).toContain(
      '本合同已于2026-03-1410:21:33（北京时间）由张三通过短信验证码（138****5678）以电子方式确认接受',
    );
    expect(text).toContain('借款人：张三');
  });

  it('numbers its pages in the footer', () => {
    const pages = pageCount(pdfText(pdf));
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`第1页/共${pages}页`);
    expect(text).toContain(`第${pages}页/共${pages}页`);
  });

  it('renders the same bytes twice, and the digest is their SHA-256', async () => {
    const again = await renderContractPdf(sampleContractData({ termCount: 12 }));
    expect(again.equals(pdf)).toBe(true);
    expect(contractDigest(again)).toBe(contractDigest(pdf));
    expect(contractDigest(pdf)).toMatch(/^[0-9a-f]{64}$/);
    expect(contractDigest(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('renders the same bytes when renders run at the same time', async () => {
    const renders = await Promise.all(
      [1, 2, 3].map(() => renderContractPdf(sampleContractData({ termCount: 12 }))),
    );
    for (const other of renders) expect(other.equals(pdf)).toBe(true);
  });

  it('fixes the creation date to the signing date', () => {
    const raw = pdf.toString('latin1');
    const date = (key: string) => {
      const reference = new RegExp(`/${key} (\\d+) 0 R`).exec(raw)?.[1];
      return new RegExp(`\n${reference} 0 obj\n\\((D:\\d{14}Z)\\)`).exec(raw)?.[1];
    };
    expect(date('CreationDate')).toBe('D:20260314000000Z');
    expect(date('ModDate')).toBe('D:20260314000000Z');
  });

  it('renders the same bytes in another process (no random ids, no clock, no time zone)', () => {
    const module = fileURLToPath(new URL('../../src/modules/loans/contract/index.ts', import.meta.url));
    const script = [
      `import { contractDigest, renderContractPdf, sampleContractData } from ${JSON.stringify(module)};`,
      'const pdf = await renderContractPdf(sampleContractData({ termCount: 12 }));',
      'process.stdout.write(contractDigest(pdf));',
    ].join('\n');
    const digest = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'America/Los_Angeles' },
    });
    expect(digest).toBe(contractDigest(pdf));
  });

  it('changes the digest when one fen changes', async () => {
    const [first, ...rest] = data.installments;
    if (first === undefined) throw new Error('no installment');
    const changed: ContractData = {
      ...data,
      installments: [
        { ...first, interestMinor: first.interestMinor + 1n, totalMinor: first.totalMinor + 1n },
        ...rest,
      ],
      totals: {
        ...data.totals,
        interestMinor: data.totals.interestMinor + 1n,
        totalMinor: data.totals.totalMinor + 1n,
      },
    };
    const other = await renderContractPdf(changed);
    expect(contractDigest(other)).not.toBe(contractDigest(pdf));
    expect(compact(pdfText(other))).toContain('应还总额13,201.96元');
  });
});

describe('a 36-installment contract', () => {
  const data = sampleContractData({ termCount: 36 });
  let pdf: Buffer;
  let layout: string;

  beforeAll(async () => {
    pdf = await renderContractPdf(data);
    layout = pdfText(pdf, true);
  });

  it('spans pages and repeats the table header on the page the schedule continues on', () => {
    const pages = layout.split('\f').slice(0, -1);
    expect(pages.length).toBeGreaterThan(1);
    const header = /^\s*期数\s+还款日\s+应还本金\s+应还利息\s+应还费用\s+应还总额\s+剩余本金\s*$/m;
    expect(pages.filter((page) => header.test(page)).length).toBeGreaterThanOrEqual(2);
  });

  it('lists every one of the 36 due dates with its total', () => {
    for (const row of data.installments) {
      const pattern = new RegExp(
        `^\\s*${row.number}\\s+${row.dueDate}\\s+.*\\s${escaped(formatMoney(row.totalMinor, 'CNY'))}\\s+` +
          `${escaped(formatMoney(row.balanceMinor, 'CNY'))}\\s*$`,
        'm',
      );
      expect(layout, `installment ${row.number}`).toMatch(pattern);
    }
    expect(layout).toMatch(/^\s*36\s+2029-03-14\s+427\.33\s+6\.41\s+0\.00\s+433\.74\s+0\.00\s*$/m);
    expect(compact(layout)).toContain('应还总额15,617.79元');
  });
});

describe('a cash drawdown and a fee-rate product', () => {
  it('titles a drawdown without a merchant 个人消费贷款合同 and pays the borrower’s own account', async () => {
    const text = compact(
      pdfText(await renderContractPdf(sampleContractData({ termCount: 6, merchant: false }))),
    );
    expect(text.startsWith('个人消费贷款合同')).toBe(true);
    expect(text).not.toContain('商户（收款方）');
    expect(text).toContain('贷款人将借款发放至借款人本人名下已绑定的银行账户');
    expect(text).toContain('借款用途：个人日常消费');
    expect(text).toContain('冷静期内借款人全额归还借款本金的');
  });

  it('states a monthly fee rate, a deducted up-front fee, no prepayment and no cooling-off', async () => {
    const base = sampleContractData({ termCount: 12 });
    const data: ContractData = {
      ...base,
      method: 'flat_fee',
      price: { kind: 'period_fee_rate', rate: '0.006' },
      upfrontFeeMinor: 20_000n,
      disbursedMinor: base.principalMinor - 20_000n,
      prepayment: { allowed: false, feeRate: '0', minTermsPaid: 0 },
      coolingOffDays: 0,
      penalty: { annualRate: '0.2399', graceDays: 0 },
    };
    const text = compact(pdfText(await renderContractPdf(data)));
    expect(text).toContain('还款方式：等本等息');
    expect(text).toContain('月手续费率：0.60%');
    expect(text).toContain('实际放款金额：11,800.00元。一次性服务费200.00元已从借款本金中扣除');
    expect(text).toContain('本产品不支持提前还款');
    expect(text).toContain('本产品不设冷静期');
    expect(text).toContain('借款人未在还款日（含当日）足额偿还当期应还款项的，即构成逾期');
    expect(text).toContain('逾期罚息年利率为23.99%');
  });
});

describe('contract figures', () => {
  it('groups money by thousands with the minor digits', () => {
    expect(formatMoney(0n, 'CNY')).toBe('0.00');
    expect(formatMoney(5n, 'CNY')).toBe('0.05');
    expect(formatMoney(123_456n, 'CNY')).toBe('1,234.56');
    expect(formatMoney(1_200_000n, 'CNY')).toBe('12,000.00');
    expect(formatMoney(123_456_789_012n, 'CNY')).toBe('1,234,567,890.12');
    expect(formatMoney(1_234_567n, 'JPY')).toBe('1,234,567');
  });

  it('shows decimal fractions as percentages with two decimals, half up', () => {
    expect(formatPercent('0.18')).toBe('18.00%');
    expect(formatPercent('0.195618')).toBe('19.56%');
    expect(formatPercent('0.239950')).toBe('24.00%');
    expect(formatPercent('0.23994999')).toBe('23.99%');
    expect(formatPercent('0')).toBe('0.00%');
  });

  it('writes CNY amounts in capital numerals as the settlement rules do', () => {
    const cases: [bigint, string][] = [
      [1_200_000n, '壹万贰仟元整'],
      [1_000n, '壹拾元整'],
      [10_000_000n, '壹拾万元整'],
      [10_050_000n, '壹拾万零伍佰元整'],
      [168_032n, '壹仟陆佰捌拾元叁角贰分'],
      [1_000_005n, '壹万元零伍分'],
      [100_050n, '壹仟元伍角'],
      [50n, '伍角'],
      [5n, '伍分'],
      [0n, '零元整'],
      [10_000_000_000n, '壹亿元整'],
      [10_000_100_000n, '壹亿零壹仟元整'],
      [100_100_000_000n, '壹拾亿零壹佰万元整'],
      [30_000_000_000_000n, '叁仟亿元整'],
    ];
    for (const [minor, expected] of cases) expect(capitalAmountCny(minor), String(minor)).toBe(expected);
  });

  it('names the six repayment methods in Chinese', () => {
    expect(
      (
        ['equal_installment', 'equal_principal', 'interest_first', 'flat_fee', 'bullet', 'daily'] as const
      ).map(methodName),
    ).toEqual(['等额本息', '等额本金', '先息后本', '等本等息', '一次性还本付息', '随借随还']);
  });
});

describe('contract data that does not add up', () => {
  const data = sampleContractData({ termCount: 12 });

  it('is refused when the installments do not add up to the totals', async () => {
    const wrong: ContractData = {
      ...data,
      totals: { ...data.totals, totalMinor: data.totals.totalMinor + 1n },
    };
    await expect(renderContractPdf(wrong)).rejects.toThrow(AssertionError);
    await expect(renderContractPdf(wrong)).rejects.toThrow('the installments do not add up to the totals');
  });

  it('is refused when the term count or the due dates disagree with the schedule', async () => {
    await expect(renderContractPdf({ ...data, termCount: 11 })).rejects.toThrow(
      'termCount ≠ number of installments',
    );
    await expect(renderContractPdf({ ...data, lastDueDate: '2027-03-15' })).rejects.toThrow(
      'lastDueDate is not the last due date',
    );
  });

  it('is refused when the funders’ shares do not make 100 %, or a rate is not a decimal fraction', async () => {
    const [own, bank] = data.funders;
    if (own === undefined || bank === undefined) throw new Error('sample has two funders');
    await expect(renderContractPdf({ ...data, funders: [own, { ...bank, shareBp: 2999 }] })).rejects.toThrow(
      'funder shares do not sum to 100 %',
    );
    await expect(
      renderContractPdf({ ...data, annualizedRates: { ...data.annualizedRates, irr: '19.56%' } }),
    ).rejects.toThrow('annualizedRates.irr is not a decimal fraction');
  });

  it('is refused when the disbursed amount is not the principal less a deducted fee', async () => {
    await expect(renderContractPdf({ ...data, disbursedMinor: data.principalMinor - 1n })).rejects.toThrow(
      'disbursed ≠ principal − deducted fee',
    );
  });
});

describe('the preview a borrower reads before accepting', () => {
  it('is marked as not in force at the top and says the acceptance is still to come', async () => {
    const data = sampleContractData({ termCount: 12 });
    const preview = compact(
      pdfText(await renderContractPdf({ ...data, acceptance: { ...data.acceptance, acceptedAt: null } })),
    );
    expect(preview).toContain('【预览·未生效PREVIEW】');
    expect(preview).toContain(`电子确认：待${data.acceptance.acceptedBy}通过`);
    expect(preview).not.toMatch(/本合同已于/);
    // The accepted contract carries neither.
    const signed = compact(pdfText(await renderContractPdf(data)));
    expect(signed).not.toContain('预览');
    expect(signed).toMatch(/本合同已于/);
  });
});
