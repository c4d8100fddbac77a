import { createHash } from 'node:crypto';
import { periodsPerYear } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import PDFDocument from 'pdfkit';
import type { ContractData, ContractFunder } from './contract-data.ts';
import { checkContractData } from './contract-data.ts';
import { contractFonts } from './font.ts';
import {
  capitalAmountCny,
  currencyName,
  formatBeijingTime,
  formatMoney,
  formatPercent,
  frequencyName,
  methodDescription,
  methodName,
  periodWord,
} from './format.ts';
import type { Doc } from './layout.ts';
import { bodyLineGap, fontSize, ink, page, rule } from './layout.ts';
import { drawScheduleTable } from './schedule-table.ts';

// The Chinese loan contract as a PDF: A4, the parties, ten articles, the full repayment schedule
// as a table that continues over pages with its header repeated, and the electronic acceptance.
// The same ContractData always renders the same bytes: the creation date is the signing date
// (which also fixes the file ID pdfkit derives from the document info), pdfkit names the font
// subsets from their per-document ids, and nothing reads the clock or a random source. The SHA-256
// of those bytes is stored with the loan so a downloaded contract can be checked against it.

const funderKindNames: Readonly<Record<ContractFunder['kind'], string>> = {
  own: '自有资金',
  bank: '合作银行联合出资',
  investor_pool: '出借人资金，银行存管',
};

/** The merchants module's scenario codes (merchants/tables.ts) in contract wording; an unknown code shows as it is. */
const scenarioNames: Readonly<Record<string, string>> = {
  education: '教育培训',
  travel: '旅游出行',
  home_renovation: '家居装修',
  ecommerce: '电商购物',
  medical_beauty: '医疗美容',
  electronics_3c: '3C数码',
  other: '其他消费',
};

export function scenarioName(code: string): string {
  return scenarioNames[code] ?? code;
}

/** Renders the contract; the same data gives the same bytes (see the header comment). */
export async function renderContractPdf(data: ContractData): Promise<Buffer> {
  checkContractData(data);
  const fonts = await contractFonts();
  // The signing date at 00:00 UTC, so every PDF reader shows the signing date itself: a fixed
  // instant, never the time of rendering.
  const created = new Date(`${data.signingDate}T00:00:00Z`);
  const doc = new PDFDocument({
    size: page.size,
    margins: { top: page.marginTop, bottom: page.marginBottom, left: page.marginX, right: page.marginX },
    bufferPages: true,
    pdfVersion: '1.7',
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `${contractTitle(data)} ${data.contractNumber}`,
      Author: data.lenderName,
      Subject: `${data.product.name} ${data.contractNumber}`,
      Creator: 'Fenqi',
      CreationDate: created,
      ModDate: created,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.fillColor(ink).strokeColor(rule);
  const writer = new ContractWriter(doc, data);
  writer.write();
  doc.end();
  return finished;
}

/** SHA-256 of the contract's bytes, lower-case hex: what the loan stores and a download is checked against. */
export function contractDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** 分期付款合同 when a merchant is paid for goods or services, 个人消费贷款合同 for a cash drawdown. */
export function contractTitle(data: ContractData): string {
  return data.merchant === null ? '个人消费贷款合同' : '分期付款合同';
}

class ContractWriter {
  private readonly doc: Doc;
  private readonly data: ContractData;
  private readonly left: number;
  private readonly width: number;
  private articleNumber = 0;

  constructor(doc: Doc, data: ContractData) {
    this.doc = doc;
    this.data = data;
    this.left = page.marginX;
    this.width = doc.page.width - 2 * page.marginX;
  }

  write(): void {
    this.titleBlock();
    this.notice();
    this.parties();
    this.articleAmount();
    this.articleTerm();
    this.articleRates();
    this.articleSchedule();
    this.articleOverdue();
    this.articlePrepayment();
    this.articleCoolingOff();
    this.articleDisputes();
    this.articleConsents();
    this.articleOther();
    this.signatures();
    this.footers();
  }

  // ——— text primitives ———

  private money(minor: bigint): string {
    const amount = formatMoney(minor, this.data.currency);
    return this.data.currency === 'CNY' ? `${amount} 元` : `${this.data.currency} ${amount}`;
  }

  private bottom(): number {
    return this.doc.page.height - page.marginBottom;
  }

  /** Starts a new page unless `height` points are left on this one (keeps a heading with its text). */
  private keepSpace(height: number): void {
    if (this.doc.y + height > this.bottom()) this.doc.addPage();
  }

  private paragraph(
    text: string,
    options: { bold?: boolean; indent?: number; gapAfter?: number } = {},
  ): void {
    const indent = options.indent ?? 0;
    this.doc
      .font(options.bold === true ? 'bold' : 'body')
      .fontSize(fontSize.body)
      .text(text, this.left + indent, this.doc.y, { width: this.width - indent, lineGap: bodyLineGap });
    this.doc.y += options.gapAfter ?? 2;
  }

  /** A bold label followed by its value on the same line, wrapping under the label. */
  private labelled(label: string, value: string, indent = 0): void {
    this.doc
      .font('bold')
      .fontSize(fontSize.body)
      .text(label, this.left + indent, this.doc.y, {
        width: this.width - indent,
        lineGap: bodyLineGap,
        continued: true,
      })
      .font('body')
      .text(value, { lineGap: bodyLineGap });
    this.doc.y += 2;
  }

  /** Numbered clauses of an article: 1. … 2. … */
  private clauses(items: readonly string[]): void {
    for (const [index, item] of items.entries()) this.paragraph(`${index + 1}. ${item}`, { indent: 10 });
  }

  private article(title: string): void {
    this.articleNumber += 1;
    this.keepSpace(70);
    this.doc.y += 8;
    this.doc
      .font('bold')
      .fontSize(fontSize.article)
      .text(`第${chineseOrdinal(this.articleNumber)}条　${title}`, this.left, this.doc.y, {
        width: this.width,
      });
    this.doc.y += 4;
  }

  // ——— sections ———

  private titleBlock(): void {
    const { doc, data } = this;
    doc.font('bold').fontSize(fontSize.title).text(contractTitle(data), this.left, doc.y, {
      width: this.width,
      align: 'center',
    });
    if (data.merchant !== null) {
      doc.font('body').fontSize(fontSize.subtitle).text('（个人消费贷款·商户分期）', {
        width: this.width,
        align: 'center',
      });
    }
    if (data.acceptance.acceptedAt === null) {
      doc.font('bold').fontSize(fontSize.subtitle).text('【预览 · 未生效 PREVIEW】', {
        width: this.width,
        align: 'center',
      });
    }
    doc.y += 10;
    this.labelled('合同编号：', data.contractNumber);
    this.labelled('签订日期：', data.signingDate);
    this.labelled(
      '产品：',
      `${data.product.name}（产品代码 ${data.product.code}，版本 ${data.product.version}）`,
    );
    doc.y += 4;
  }

  private notice(): void {
    const { doc, data } = this;
    const text =
      `重要提示：请借款人在确认前仔细阅读本合同全部条款，特别是加粗显示的年化利率、费用、逾期罚息、提前还款和冷静期条款。` +
      `本合同项下借款的年化利率为 ${formatPercent(data.annualizedRates.irr)}（按内部收益率法以复利计算，` +
      `单利计算为 ${formatPercent(data.annualizedRates.simple)}），应还总额为 ${this.money(data.totals.totalMinor)}。`;
    const inset = 8;
    doc.font('bold').fontSize(fontSize.body);
    const height = doc.heightOfString(text, { width: this.width - 2 * inset, lineGap: bodyLineGap });
    this.keepSpace(height + 2 * inset);
    const top = doc.y;
    doc.rect(this.left, top, this.width, height + 2 * inset).stroke();
    doc.text(text, this.left + inset, top + inset, { width: this.width - 2 * inset, lineGap: bodyLineGap });
    doc.y = top + height + 2 * inset + 8;
  }

  private parties(): void {
    const { doc, data } = this;
    this.keepSpace(100);
    doc.font('bold').fontSize(fontSize.article).text('合同当事人', this.left, doc.y, { width: this.width });
    doc.y += 4;
    this.labelled('贷款人：', data.lenderName);
    this.labelled('借款人：', data.borrower.name);
    this.labelled('身份证号码：', data.borrower.idNumberMasked, 10);
    this.labelled('手机号码：', data.borrower.phoneMasked, 10);
    if (data.merchant !== null) {
      this.labelled('商户（收款方）：', data.merchant.legalName);
      this.labelled('消费场景：', scenarioName(data.merchant.scenario), 10);
    }
    this.labelled('资金方及出资比例：', '本合同项下借款由贷款人发放，资金由下列资金方按比例提供：');
    for (const funder of data.funders) {
      this.paragraph(
        `· ${funder.name}（${funderKindNames[funder.kind]}）：出资比例 ${formatBasisPoints(funder.shareBp)}，` +
          `对应借款本金 ${this.money(funder.principalMinor)}`,
        { indent: 10 },
      );
    }
    this.paragraph(
      '贷款人与借款人经平等协商，就借款人向贷款人申请个人消费贷款事宜订立本合同，以资共同遵守。',
      { gapAfter: 4 },
    );
  }

  private articleAmount(): void {
    const { data } = this;
    this.article('借款金额与用途');
    const capital =
      data.currency === 'CNY'
        ? `（大写：${currencyName(data.currency)}${capitalAmountCny(data.principalMinor)}）`
        : '';
    const fee = data.upfrontFeeMinor === 0n ? '' : this.upfrontFeeText();
    const payout =
      data.merchant === null
        ? '贷款人将借款发放至借款人本人名下已绑定的银行账户。'
        : `经借款人授权，贷款人将借款直接支付至商户${data.merchant.legalName}的结算账户，` +
          `用于支付借款人在该商户的${scenarioName(data.merchant.scenario)}消费（受托支付）。`;
    this.clauses([
      `借款本金：${currencyName(data.currency)} ${this.money(data.principalMinor)}${capital}。`,
      `实际放款金额：${this.money(data.disbursedMinor)}。${fee}`,
      `借款用途：${data.purpose}。借款人承诺借款仅用于上述消费用途，不用于购房、投资理财、证券、期货、` +
        '股本权益性投资及其他法律法规禁止的用途。',
      `放款方式：${payout}`,
    ]);
  }

  private upfrontFeeText(): string {
    const { data } = this;
    const amount = this.money(data.upfrontFeeMinor);
    return data.upfrontFeeMode === 'deducted'
      ? `一次性服务费 ${amount} 已从借款本金中扣除。`
      : `一次性服务费 ${amount} 计入分期偿还的本金。`;
  }

  private articleTerm(): void {
    const { data } = this;
    this.article('期限与还款方式');
    this.clauses([
      // A bullet loan's term count is its tenor in periods; it is repaid once, at maturity.
      data.method === 'bullet'
        ? `借款期限：${data.termCount} 期（${frequencyName(data.frequency)}计），到期一次性还本付息；到期还款日 ${data.lastDueDate}。`
        : `借款期限：共 ${data.termCount} 期，${frequencyName(data.frequency)}还款；首期还款日 ${data.firstDueDate}，` +
          `末期（到期）还款日 ${data.lastDueDate}。`,
      `还款方式：${methodName(data.method)}，即${methodDescription(data.method)}。`,
      '借款人应于每期还款日（含当日）前足额还款；借款人授权贷款人于还款日从其已绑定的本人银行账户扣收当期应还款项。' +
        '每期应还金额以第四条还款计划为准。',
    ]);
  }

  private articleRates(): void {
    const { data } = this;
    this.article('利率与费用');
    const price =
      data.price.kind === 'annual_rate'
        ? `借款年利率：${formatPercent(data.price.rate)}（单利），利息按还款计划逐期计收。`
        : `${periodWord(data.frequency)}手续费率：${formatPercent(data.price.rate)}，` +
          '按借款本金计算，随每期还款收取。';
    this.paragraph(`1. ${price}`, { indent: 10 });
    this.paragraph(
      `2. 年化利率（内部收益率法，复利计算）：${formatPercent(data.annualizedRates.irr)}；` +
        `年化利率（单利计算）：${formatPercent(data.annualizedRates.simple)}。`,
      { indent: 10, bold: true },
    );
    const perYear = periodsPerYear(data.frequency);
    const perYearText = perYear.den === 1n ? perYear.num.toString() : `${perYear.num}/${perYear.den}`;
    this.paragraph(
      `3. 年化利率计算方法：根据中国人民银行公告〔2021〕第3号，上述年化利率以借款人实际获得的借款金额` +
        `（${this.money(data.disbursedMinor)}）和还款计划中每期应还的本金、利息及全部费用构成的现金流，` +
        `按内部收益率（IRR）法求得每期利率 r；复利年化利率 =（1 + r）^n − 1，单利年化利率 = r × n，` +
        `其中 n 为每年期数（本合同 n = ${perYearText}）。`,
      { indent: 10 },
    );
    const { totals } = data;
    this.paragraph(
      `4. 本合同项下应还本金合计 ${this.money(totals.principalMinor)}，利息合计 ${this.money(totals.interestMinor)}，` +
        `费用合计 ${this.money(totals.feeMinor)}，应还总额 ${this.money(totals.totalMinor)}` +
        `${data.upfrontFeeMinor === 0n ? '' : `；另${this.upfrontFeeText()}`}` +
        '。除本合同载明的利息和费用外，贷款人不向借款人收取其他任何费用。',
      { indent: 10 },
    );
  }

  private articleSchedule(): void {
    this.article('还款计划');
    this.paragraph(
      `借款人应按下表按期足额还款（金额单位：${this.data.currency === 'CNY' ? '元' : this.data.currency}）：`,
    );
    this.doc.y += 2;
    this.keepSpace(48);
    drawScheduleTable(this.doc, this.data, {
      left: this.left,
      width: this.width,
      bottom: () => this.bottom(),
    });
  }

  private articleOverdue(): void {
    const { data } = this;
    this.article('逾期与罚息');
    const grace =
      data.penalty.graceDays === 0
        ? '借款人未在还款日（含当日）足额偿还当期应还款项的，即构成逾期。'
        : `每期还款日后 ${data.penalty.graceDays} 日为宽限期，宽限期内足额还款的不视为逾期，不计收罚息；` +
          '宽限期届满仍未足额还款的，即构成逾期。';
    this.clauses([grace]);
    this.paragraph(
      `2. 逾期罚息年利率为 ${formatPercent(data.penalty.annualRate)}。借款人逾期的，` +
        '贷款人有权对逾期未还的本金按实际逾期天数计收罚息，直至逾期款项全部清偿。',
      { indent: 10, bold: true },
    );
    this.paragraph(
      '3. 借款人逾期的，贷款人有权依法催收，并有权依法将借款人的逾期信息报送金融信用信息基础数据库及其他依法设立的征信机构；' +
        '贷款人的催收行为应遵守法律法规和监管规定，不采用暴力、恐吓、骚扰等不当方式。',
      { indent: 10 },
    );
  }

  private articlePrepayment(): void {
    const { data } = this;
    this.article('提前还款');
    if (!data.prepayment.allowed) {
      this.clauses(['本产品不支持提前还款，借款人应按第四条还款计划按期还款。']);
      return;
    }
    const minTerms =
      data.prepayment.minTermsPaid === 0
        ? ''
        : `，但须已按期足额偿还不少于 ${data.prepayment.minTermsPaid} 期`;
    const fee = new Decimal(data.prepayment.feeRate).isZero()
      ? '贷款人不收取提前还款手续费。'
      : `借款人应按提前偿还本金的 ${formatPercent(data.prepayment.feeRate)} 支付提前还款手续费。`;
    this.clauses([`借款人可以申请提前偿还部分或全部借款${minTerms}。`]);
    this.paragraph(`2. ${fee}`, { indent: 10, bold: true });
    this.paragraph(
      '3. 提前还款时，借款人应结清截至提前还款日已到期未还的款项及按实际占用天数计算的应付利息；' +
        '部分提前还款后，剩余还款计划由贷款人重新计算并提供给借款人。',
      { indent: 10 },
    );
  }

  private articleCoolingOff(): void {
    const { data } = this;
    this.article('冷静期');
    if (data.coolingOffDays === 0) {
      this.clauses(['本产品不设冷静期。借款人可按第六条的约定提前还款。']);
      return;
    }
    const cancel =
      data.merchant === null
        ? '全额归还借款本金'
        : '与商户协商全额退货、退款（由商户将款项全额退回贷款人）或全额归还借款本金';
    this.paragraph(
      `1. 自本合同成立之日起 ${data.coolingOffDays} 日内为冷静期。冷静期内借款人${cancel}的，` +
        '本合同项下借款取消，贷款人不收取任何利息和费用，已收取的利息和费用全额退还。',
      { indent: 10, bold: true },
    );
    this.paragraph('2. 冷静期届满后，借款人可按第六条的约定提前还款。', { indent: 10 });
  }

  private articleDisputes(): void {
    this.article('争议解决');
    this.clauses([
      '本合同的订立、效力、解释、履行及争议解决均适用中华人民共和国法律（为本合同之目的，不包括香港特别行政区、' +
        '澳门特别行政区和台湾地区法律）。',
      '因本合同引起或与本合同有关的争议，双方应友好协商解决；协商不成的，任何一方均可向贷款人住所地有管辖权的人民法院提起诉讼。',
    ]);
  }

  private articleConsents(): void {
    const { data } = this;
    this.article('授权与同意');
    if (data.consents.length === 0) {
      this.paragraph('借款人确认已阅读并理解本合同全部条款。');
      return;
    }
    this.paragraph('借款人确认已阅读、理解并同意以下授权与协议（以借款人确认时的版本为准）：');
    for (const [index, consent] of data.consents.entries()) {
      this.keepSpace(40);
      this.paragraph(`${index + 1}. 《${consent.title}》（版本 ${consent.version}）`, {
        indent: 10,
        bold: true,
      });
      this.paragraph(consent.text, { indent: 22 });
    }
  }

  private articleOther(): void {
    const { data } = this;
    this.article('其他约定');
    this.clauses([
      `本合同以电子形式订立。借款人通过${data.acceptance.verification}确认接受本合同，依据《中华人民共和国电子签名法》，` +
        '该电子确认与借款人手写签名具有同等法律效力。',
      '本合同自借款人电子确认之时成立并生效；贷款人未能发放借款的，本合同自动终止，借款人无需承担任何利息和费用。',
      '本合同文件由贷款人以电子数据形式保存并记录其 SHA-256 摘要，借款人可随时下载本合同并核验其完整性。',
      '借款人的姓名、证件、联系方式或绑定银行账户发生变更的，应及时通知贷款人。',
    ]);
    this.doc.y += 6;
    this.doc.font('body').fontSize(fontSize.body).text('（以下无正文）', this.left, this.doc.y, {
      width: this.width,
      align: 'center',
    });
  }

  private signatures(): void {
    const { doc, data } = this;
    this.keepSpace(110);
    doc.y += 16;
    const top = doc.y;
    const half = this.width / 2;
    doc
      .font('bold')
      .fontSize(fontSize.body)
      .text(`贷款人：${data.lenderName}`, this.left, top, {
        width: half - 10,
        lineGap: bodyLineGap,
      });
    const leftBottom = doc.y;
    doc.text(`借款人：${data.borrower.name}`, this.left + half, top, { width: half, lineGap: bodyLineGap });
    doc.y = Math.max(leftBottom, doc.y) + 6;
    const { acceptedAt } = data.acceptance;
    this.paragraph(
      acceptedAt === null
        ? `电子确认：待 ${data.acceptance.acceptedBy} 通过${data.acceptance.verification}以电子方式确认接受。本文本为确认前的预览，不发生合同效力；确认后生成的合同编号与签订日期以正式合同为准。`
        : `电子确认：本合同已于 ${formatBeijingTime(acceptedAt)} 由 ${data.acceptance.acceptedBy} 通过${data.acceptance.verification}以电子方式确认接受。`,
    );
    this.paragraph(`签订日期：${data.signingDate}　合同编号：${data.contractNumber}`);
  }

  /** 合同编号 and 第 i 页 / 共 n 页 at the foot of every page, written once the page count is known. */
  private footers(): void {
    const { doc, data } = this;
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index += 1) {
      doc.switchToPage(index);
      // Writing inside the bottom margin would otherwise start a new page.
      const margin = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font('body')
        .fontSize(fontSize.footer)
        .text(
          `合同编号：${data.contractNumber}　　第 ${index + 1} 页 / 共 ${range.count} 页`,
          this.left,
          doc.page.height - page.marginBottom + 24,
          { width: this.width, align: 'center', lineBreak: false },
        );
      doc.page.margins.bottom = margin;
    }
  }
}

/** Share in basis points → "70.00%". */
function formatBasisPoints(shareBp: number): string {
  return `${Math.floor(shareBp / 100)}.${String(shareBp % 100).padStart(2, '0')}%`;
}

const ordinalDigits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (articles never reach 100). */
function chineseOrdinal(value: number): string {
  const tens = Math.floor(value / 10);
  const ones = value % 10;
  const onesText = ones === 0 ? '' : (ordinalDigits[ones] ?? '');
  if (tens === 0) return onesText;
  return `${tens === 1 ? '' : (ordinalDigits[tens] ?? '')}十${onesText}`;
}
