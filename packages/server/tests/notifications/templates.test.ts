import { describe, expect, it } from 'vitest';
import { notificationTemplates } from '../../src/modules/notifications/tables.ts';
import {
  notificationTemplateSpecs,
  renderTemplate,
  TemplateVariablesError,
} from '../../src/modules/notifications/templates.ts';

// The texts exactly as a borrower receives them, in both locales, and the refusal of a call that
// names the variables wrong.

describe('renderTemplate', () => {
  it('renders the due-in-three-days reminder in zh-CN with the amount in yuan', () => {
    expect(
      renderTemplate('due_soon', 'zh-CN', { number: '3', amountMinor: '123456', dueDate: '2026-04-15' }).text,
    ).toBe(
      '【Fenqi】尊敬的客户，您的借款第3期应还1234.56元，将于2026-04-15到期，请提前确保还款银行卡余额充足。如已还款请忽略。',
    );
  });

  it('renders the due-in-three-days reminder in en', () => {
    expect(
      renderTemplate('due_soon', 'en', { number: '3', amountMinor: '5', dueDate: '2026-04-15' }).text,
    ).toBe(
      '【Fenqi】Dear customer, installment 3 of your loan, CNY 0.05, is due on 2026-04-15. Please make sure your repayment card has enough funds. Ignore this message if you have paid.',
    );
  });

  it('renders the due-today reminder in zh-CN', () => {
    expect(
      renderTemplate('due_today', 'zh-CN', { number: '1', amountMinor: '105000', dueDate: '2026-02-01' })
        .text,
    ).toBe(
      '【Fenqi】尊敬的客户，您的借款第1期应还1050.00元今日（2026-02-01）到期，请于今日24:00前完成还款，以免产生罚息并影响您的个人信用。如已还款请忽略。',
    );
  });

  it('renders the overdue notice in zh-CN and en', () => {
    const variables = { dpd: '4', overdueSince: '2026-02-01' };
    expect(renderTemplate('overdue', 'zh-CN', variables).text).toBe(
      '【Fenqi】尊敬的客户，您的借款自2026-02-01起已逾期4天，逾期期间将按合同计收罚息。请尽快登录Fenqi App查看应还金额并还款。如已还款请忽略。',
    );
    expect(renderTemplate('overdue', 'en', variables).text).toBe(
      '【Fenqi】Dear customer, your loan has been overdue for 4 days since 2026-02-01; penalty interest accrues as your contract provides. Please open the Fenqi app to see the amount due and repay as soon as possible. Ignore this message if you have paid.',
    );
  });

  it('renders the repayment receipt in zh-CN', () => {
    expect(
      renderTemplate('repayment_received', 'zh-CN', {
        loanNo: 'L20260101ABCDEFGHJK',
        amountMinor: '100000000',
        receivedOn: '2026-03-02',
      }).text,
    ).toBe(
      '【Fenqi】尊敬的客户，您的借款L20260101ABCDEFGHJK于2026-03-02成功还款1000000.00元，感谢您的按时还款。',
    );
  });

  it('renders the payoff message in en', () => {
    expect(renderTemplate('paid_off', 'en', { loanNo: 'L1', closedOn: '2026-12-01' }).text).toBe(
      '【Fenqi】Dear customer, your loan L1 was repaid in full on 2026-12-01. Thank you for choosing Fenqi.',
    );
  });

  it('renders the notice before negative credit reporting, naming the credit reference center', () => {
    const variables = { loanNo: 'L9', amountMinor: '88888', dueDate: '2026-05-01' };
    expect(renderTemplate('negative_report_notice', 'zh-CN', variables).text).toBe(
      '【Fenqi】尊敬的客户，您的借款L9已逾期，逾期金额888.88元（应还日2026-05-01）。根据《征信业管理条例》，若您未及时还款，逾期信息将报送至中国人民银行征信中心金融信用信息基础数据库，影响您的个人信用记录。请尽快还款。',
    );
    expect(renderTemplate('negative_report_notice', 'en', variables).text).toContain(
      'if it is not repaid the overdue information will be reported to the Credit Reference Center of the People’s Bank of China',
    );
  });

  it('renders the contract message in zh-CN', () => {
    expect(
      renderTemplate('contract_signed', 'zh-CN', {
        contractNo: 'HTL1',
        amountMinor: '1200000',
        termCount: '12',
      }).text,
    ).toBe(
      '【Fenqi】尊敬的客户，您的借款合同HTL1已签署生效，借款金额12000.00元，共12期。可登录Fenqi App查看合同及还款计划。',
    );
  });

  it('sends the one-time code but logs it as ******', () => {
    const rendered = renderTemplate('otp', 'zh-CN', { code: '482913', minutes: '5' });
    expect(rendered.text).toBe(
      '【Fenqi】您的验证码为482913，5分钟内有效。请勿将验证码告知他人，Fenqi工作人员不会向您索取验证码。',
    );
    expect(rendered.logText).toBe(
      '【Fenqi】您的验证码为******，5分钟内有效。请勿将验证码告知他人，Fenqi工作人员不会向您索取验证码。',
    );
  });

  it('refuses a missing variable, naming it', () => {
    expect(() => renderTemplate('due_today', 'zh-CN', { number: '1', dueDate: '2026-02-01' })).toThrow(
      new TemplateVariablesError('due_today', ['variable amountMinor is missing']),
    );
  });

  it('refuses a variable the template does not use, and an amount that is not fen', () => {
    expect(() =>
      renderTemplate('paid_off', 'en', { loanNo: 'L1', closedOn: '2026-12-01', amount: '1' }),
    ).toThrow('variable amount is not used by the template');
    expect(() =>
      renderTemplate('due_soon', 'en', { number: '1', amountMinor: '12.50', dueDate: '2026-02-01' }),
    ).toThrow('variable amountMinor must be an amount in fen (digits)');
  });

  it('starts every text in every locale with the 【Fenqi】 signature and uses every variable it declares', () => {
    for (const template of notificationTemplates) {
      const spec = notificationTemplateSpecs[template];
      for (const text of Object.values(spec.text)) {
        expect(text.startsWith('【Fenqi】')).toBe(true);
        const used = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(used).toEqual(Object.keys(spec.variables).sort());
      }
    }
  });
});
