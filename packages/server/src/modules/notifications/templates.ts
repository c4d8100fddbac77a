import { formatMinor } from '@fenqi/core';
import type { NotificationLocale, NotificationTemplate } from './tables.ts';

// The texts Fenqi sends, as code: one per template and locale, zh-CN the default. Every SMS begins
// with the signature 【Fenqi】 (工信部《短信息服务管理规定》 2015: the sender's signature in 【】,
// which gateways also require of templates). Texts name the installment, the amount in yuan with
// two decimals and the date, never the borrower's name or ID number, and go only to the
// borrower's own phone (the debt is theirs alone to know: 《个人信息保护法》 Art. 6, and the
// NIFA collection guideline's ban on telling third parties).

/** How a template's variable is checked and shown: text, a count, a date, or fen shown as yuan. */
type VariableKind = 'text' | 'digits' | 'date' | 'minor';

type TemplateSpec = {
  variables: Readonly<Record<string, VariableKind>>;
  text: Readonly<Record<NotificationLocale, string>>;
  /** Variables whose value never goes into the stored log text (shown as ******). */
  secret?: readonly string[];
};

export const notificationTemplateSpecs: Readonly<Record<NotificationTemplate, TemplateSpec>> = {
  otp: {
    variables: { code: 'digits', minutes: 'digits' },
    secret: ['code'],
    text: {
      'zh-CN':
        '【Fenqi】您的验证码为{code}，{minutes}分钟内有效。请勿将验证码告知他人，Fenqi工作人员不会向您索取验证码。',
      en: '【Fenqi】Your verification code is {code}, valid for {minutes} minutes. Never share it: Fenqi staff will never ask you for it.',
    },
  },
  due_soon: {
    variables: { number: 'digits', amountMinor: 'minor', dueDate: 'date' },
    text: {
      'zh-CN':
        '【Fenqi】尊敬的客户，您的借款第{number}期应还{amountMinor}元，将于{dueDate}到期，请提前确保还款银行卡余额充足。如已还款请忽略。',
      en: '【Fenqi】Dear customer, installment {number} of your loan, CNY {amountMinor}, is due on {dueDate}. Please make sure your repayment card has enough funds. Ignore this message if you have paid.',
    },
  },
  due_today: {
    variables: { number: 'digits', amountMinor: 'minor', dueDate: 'date' },
    text: {
      'zh-CN':
        '【Fenqi】尊敬的客户，您的借款第{number}期应还{amountMinor}元今日（{dueDate}）到期，请于今日24:00前完成还款，以免产生罚息并影响您的个人信用。如已还款请忽略。',
      en: '【Fenqi】Dear customer, installment {number} of your loan, CNY {amountMinor}, is due today ({dueDate}). Please repay before midnight to avoid penalty interest and harm to your credit record. Ignore this message if you have paid.',
    },
  },
  overdue: {
    variables: { dpd: 'digits', overdueSince: 'date' },
    text: {
      'zh-CN':
        '【Fenqi】尊敬的客户，您的借款自{overdueSince}起已逾期{dpd}天，逾期期间将按合同计收罚息。请尽快登录Fenqi App查看应还金额并还款。如已还款请忽略。',
      en: '【Fenqi】Dear customer, your loan has been overdue for {dpd} days since {overdueSince}; penalty interest accrues as your contract provides. Please open the Fenqi app to see the amount due and repay as soon as possible. Ignore this message if you have paid.',
    },
  },
  repayment_received: {
    variables: { loanNo: 'text', amountMinor: 'minor', receivedOn: 'date' },
    text: {
      'zh-CN':
        '【Fenqi】尊敬的客户，您的借款{loanNo}于{receivedOn}成功还款{amountMinor}元，感谢您的按时还款。',
      en: '【Fenqi】Dear customer, we received your repayment of CNY {amountMinor} on {receivedOn} for loan {loanNo}. Thank you.',
    },
  },
  paid_off: {
    variables: { loanNo: 'text', closedOn: 'date' },
    text: {
      'zh-CN': '【Fenqi】尊敬的客户，您的借款{loanNo}已于{closedOn}全部结清，感谢您选择Fenqi。',
      en: '【Fenqi】Dear customer, your loan {loanNo} was repaid in full on {closedOn}. Thank you for choosing Fenqi.',
    },
  },
  // 《征信业管理条例》 Art. 15: a lender tells the borrower before it first reports negative
  // information about them to the Credit Reference Center (the bureau module waits for delivery).
  negative_report_notice: {
    variables: { loanNo: 'text', amountMinor: 'minor', dueDate: 'date' },
    text: {
      'zh-CN':
        '【Fenqi】尊敬的客户，您的借款{loanNo}已逾期，逾期金额{amountMinor}元（应还日{dueDate}）。根据《征信业管理条例》，若您未及时还款，逾期信息将报送至中国人民银行征信中心金融信用信息基础数据库，影响您的个人信用记录。请尽快还款。',
      en: '【Fenqi】Dear customer, your loan {loanNo} is overdue: CNY {amountMinor} was due on {dueDate}. Under the Regulation on the Administration of Credit Reporting, if it is not repaid the overdue information will be reported to the Credit Reference Center of the People’s Bank of China and will appear in your credit record. Please repay as soon as possible.',
    },
  },
  contract_signed: {
    variables: { contractNo: 'text', amountMinor: 'minor', termCount: 'digits' },
    text: {
      'zh-CN':
        '【Fenqi】尊敬的客户，您的借款合同{contractNo}已签署生效，借款金额{amountMinor}元，共{termCount}期。可登录Fenqi App查看合同及还款计划。',
      en: '【Fenqi】Dear customer, your loan contract {contractNo} is signed and in force: CNY {amountMinor} over {termCount} installments. Open the Fenqi app to see the contract and your repayment schedule.',
    },
  },
};

/** A caller gave a template the wrong variables: a programming error, never the borrower's. */
export class TemplateVariablesError extends Error {
  readonly template: string;
  readonly problems: readonly string[];

  constructor(template: string, problems: readonly string[]) {
    super(`notification template ${template}: ${problems.join('; ')}`);
    this.name = 'TemplateVariablesError';
    this.template = template;
    this.problems = problems;
  }
}

const patterns: Record<VariableKind, RegExp> = {
  text: /^[^\s{}【】][^{}【】]{0,63}$/,
  digits: /^\d{1,10}$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  minor: /^\d{1,15}$/,
};

const kindMeaning: Record<VariableKind, string> = {
  text: '1 to 64 characters without braces or 【】',
  digits: 'digits',
  date: 'a date YYYY-MM-DD',
  minor: 'an amount in fen (digits)',
};

/** Variables that are not template text but say how to send (the recipient's zone). */
export const deliveryVariables = ['timeZone'] as const;

export type Rendered = { text: string; logText: string };

/**
 * The message of a template in a locale. Every variable the template names must be given, with no
 * others (a typo would otherwise send a message with a hole in it); amounts come as fen and are
 * shown as yuan with two decimals.
 */
export function renderTemplate(
  template: NotificationTemplate,
  locale: NotificationLocale,
  variables: Readonly<Record<string, string>>,
): Rendered {
  const spec = notificationTemplateSpecs[template];
  if (spec === undefined) throw new TemplateVariablesError(String(template), ['there is no such template']);
  const problems: string[] = [];
  for (const [name, kind] of Object.entries(spec.variables)) {
    const value = variables[name];
    if (value === undefined) problems.push(`variable ${name} is missing`);
    else if (!patterns[kind].test(value)) problems.push(`variable ${name} must be ${kindMeaning[kind]}`);
  }
  for (const name of Object.keys(variables))
    if (!(name in spec.variables) && !(deliveryVariables as readonly string[]).includes(name))
      problems.push(`variable ${name} is not used by the template`);
  if (problems.length > 0) throw new TemplateVariablesError(template, problems);
  const shown = (name: string, secret: boolean) => {
    if (secret) return '******';
    const value = variables[name] ?? '';
    return spec.variables[name] === 'minor' ? formatMinor(BigInt(value), 2) : value;
  };
  const fill = (hideSecrets: boolean) =>
    spec.text[locale].replace(/\{(\w+)\}/g, (_, name: string) =>
      shown(name, hideSecrets && (spec.secret ?? []).includes(name)),
    );
  return { text: fill(false), logText: fill(true) };
}
