import type { Frequency, RepaymentMethod } from '@fenqi/core';
import { assert, currencyByCode, formatMinor } from '@fenqi/core';
import { Decimal } from 'decimal.js';

// How figures read in a Chinese contract: money grouped by thousands with the currency's minor
// digits (12,000.00), rates as percentages with two decimals (PBOC 2021 No. 3 asks for the
// annualized rate as a percentage), and the principal also in capital numerals (大写), as the PBOC
// settlement rules (《支付结算办法》) write amounts on financial documents.

const decimalFractionPattern = /^\d+(\.\d+)?$/;

/** 1234567n fen → "12,345.67". Negative amounts never appear in a contract. */
export function formatMoney(minor: bigint, currencyCode: string): string {
  const currency = currencyByCode(currencyCode);
  assert(currency !== undefined, `formatMoney: unknown currency ${currencyCode}`);
  assert(minor >= 0n, 'formatMoney: negative amount');
  const plain = formatMinor(minor, currency.minorDigits);
  const [whole = '', fraction] = plain.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** "CNY" → "人民币"; other currencies by their ISO code. */
export function currencyName(currencyCode: string): string {
  return currencyCode === 'CNY' ? '人民币' : currencyCode;
}

/** A decimal fraction string ("0.2399") → "23.99%", rounded half-up to two decimals. */
export function formatPercent(fraction: string): string {
  assert(decimalFractionPattern.test(fraction), `formatPercent: not a decimal fraction: ${fraction}`);
  return `${new Decimal(fraction).times(100).toFixed(2, Decimal.ROUND_HALF_UP)}%`;
}

export function isDecimalFraction(text: string): boolean {
  return decimalFractionPattern.test(text);
}

const methodNames: Readonly<Record<RepaymentMethod, string>> = {
  equal_installment: '等额本息',
  equal_principal: '等额本金',
  interest_first: '先息后本',
  flat_fee: '等本等息',
  bullet: '一次性还本付息',
  daily: '随借随还',
};

/** What each method means, in the words a borrower reads in the contract. */
const methodDescriptions: Readonly<Record<RepaymentMethod, string>> = {
  equal_installment: '每期偿还相同金额的本金和利息（末期按实际结清金额调整）',
  equal_principal: '每期偿还相同金额的本金，利息按剩余本金计算并逐期递减',
  interest_first: '每期偿还利息，最后一期偿还全部本金及当期利息',
  flat_fee: '每期偿还相同金额的本金，手续费按借款本金和每期手续费率计算、每期金额相同',
  bullet: '到期日一次性偿还全部本金和利息',
  daily: '按日计息，借款人可在借款期限内随时偿还，到期日前结清全部本金和利息',
};

export function methodName(method: RepaymentMethod): string {
  return methodNames[method];
}

export function methodDescription(method: RepaymentMethod): string {
  return methodDescriptions[method];
}

/** "按月", "按双周", "按周", "每 N 日". */
export function frequencyName(frequency: Frequency): string {
  switch (frequency.kind) {
    case 'monthly':
      return '按月';
    case 'biweekly':
      return '按双周';
    case 'weekly':
      return '按周';
    case 'days':
      return `每 ${frequency.days} 日`;
  }
}

/** The word for one period in a rate's name: 月手续费率, 周手续费率, 每期手续费率. */
export function periodWord(frequency: Frequency): string {
  switch (frequency.kind) {
    case 'monthly':
      return '月';
    case 'weekly':
      return '周';
    case 'biweekly':
    case 'days':
      return '每期';
  }
}

/**
 * The instant of acceptance in Beijing time (UTC+8, no daylight saving since 1991), computed
 * without the process's time zone so the same instant renders the same bytes on any machine.
 */
export function formatBeijingTime(instant: Date): string {
  const epochMs = instant.getTime();
  assert(Number.isFinite(epochMs), 'formatBeijingTime: invalid date');
  const shifted = new Date(epochMs + 8 * 60 * 60 * 1000).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}（北京时间）`;
}

const capitalDigits = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const digitUnits = ['', '拾', '佰', '仟'] as const;
const groupUnits = ['', '万', '亿', '万亿'] as const;

/** The largest amount in capital numerals: groupUnits reach 万亿, so below 10^16 yuan. */
export const capitalAmountYuanMax = 10n ** 16n - 1n;

function capitalDigit(digit: number): string {
  const name = capitalDigits[digit];
  assert(name !== undefined, 'capitalDigit: not a digit');
  return name;
}

/** One group of four digits (0 < group < 10000) in capital numerals, with zeros inside it read once. */
function capitalGroup(group: number): string {
  let text = '';
  let pendingZero = false;
  for (let position = 3; position >= 0; position -= 1) {
    const digit = Math.floor(group / 10 ** position) % 10;
    if (digit === 0) {
      if (text !== '') pendingZero = true;
      continue;
    }
    if (pendingZero) text += '零';
    pendingZero = false;
    text += capitalDigit(digit) + (digitUnits[position] ?? '');
  }
  return text;
}

/**
 * CNY fen in capital numerals: 1200000n → "壹万贰仟元整", 1000005n → "壹万元零伍分",
 * 50n → "伍角". 拾 is always preceded by its digit (壹拾万), as the settlement rules require.
 */
export function capitalAmountCny(minor: bigint): string {
  assert(minor >= 0n, 'capitalAmountCny: negative amount');
  const yuan = minor / 100n;
  assert(yuan <= capitalAmountYuanMax, 'capitalAmountCny: amount too large');
  const jiao = Number((minor / 10n) % 10n);
  const fen = Number(minor % 10n);
  if (minor === 0n) return '零元整';
  let text = '';
  const groups: number[] = [];
  for (let rest = yuan; rest > 0n; rest /= 10000n) groups.push(Number(rest % 10000n));
  let zeroBefore = false;
  for (let index = groups.length - 1; index >= 0; index -= 1) {
    const group = groups[index] ?? 0;
    if (group === 0) {
      if (text !== '') zeroBefore = true;
      continue;
    }
    // A zero between groups (or a group under 1000 after a higher one) is read once: 壹万零伍元.
    if (text !== '' && (zeroBefore || group < 1000)) text += '零';
    zeroBefore = false;
    text += capitalGroup(group) + (groupUnits[index] ?? '');
  }
  if (text !== '') text += '元';
  if (jiao === 0 && fen === 0) return `${text}整`;
  if (jiao !== 0) text += `${capitalDigit(jiao)}角`;
  else if (text !== '') text += '零';
  if (fen !== 0) text += `${capitalDigit(fen)}分`;
  return text;
}
