import { createHash, type Hash } from 'node:crypto';
import {
  type AccountRecord,
  accountSegmentOrder,
  type BureauRecord,
  type Fields,
  fieldOrder,
  type LineRecord,
  lineSegmentOrder,
  type SpecialSegment,
} from './segments.ts';

// The submission file: UTF-8 XML, one <InAcctInf> per 210 record and one <InCtrctInf> per 220
// record under <Document>, segments and items in the order the format fixes (not the order of a
// record's keys), absent optional items left out. Text is escaped (& < > " ') and characters XML
// 1.0 cannot carry are dropped. The digest is SHA-256 of the file's bytes, written in chunks so a
// million-record file never has to be one string.

export type Identity = { name: string; idType: string; idNum: string };

// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
// biome-ignore lint/complexity/useRegexLiterals: a literal would hold the control characters it drops
const invalidXmlChars = new RegExp(
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  'g',
);

export function escapeXml(text: string): string {
  return text
    .replace(invalidXmlChars, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function fieldsXml(name: string, fields: Fields, order: readonly string[] | undefined): string {
  let out = `<${name}>`;
  for (const field of order ?? Object.keys(fields)) {
    const value = fields[field];
    if (value === undefined) continue;
    out += `<${field}>${escapeXml(value)}</${field}>`;
  }
  return `${out}</${name}>`;
}

function specialXml(special: SpecialSegment): string {
  let out = `<AcctSpecTrstDspnSgmt><CagOfTrdNm>${escapeXml(special.CagOfTrdNm)}</CagOfTrdNm>`;
  for (const trade of special.CagOfTrdInf) out += fieldsXml('CagOfTrdInf', trade, fieldOrder.CagOfTrdInf);
  return `${out}</AcctSpecTrstDspnSgmt>`;
}

const withIdentity = (fields: Fields, identity: Identity): Fields => ({
  ...fields,
  Name: identity.name,
  IDType: identity.idType,
  IDNum: identity.idNum,
});

function accountXml(record: AccountRecord, identity: Identity): string {
  let out = '<InAcctInf>';
  const segments = record.segments as Record<string, Fields | SpecialSegment | undefined>;
  for (const name of accountSegmentOrder) {
    const segment = segments[name];
    if (segment === undefined) continue;
    if (name === 'AcctSpecTrstDspnSgmt') out += specialXml(segment as SpecialSegment);
    else if (name === 'AcctBsSgmt')
      out += fieldsXml(name, withIdentity(segment as Fields, identity), fieldOrder[name]);
    else out += fieldsXml(name, segment as Fields, fieldOrder[name]);
  }
  return `${out}</InAcctInf>`;
}

function lineXml(record: LineRecord, identity: Identity): string {
  let out = '<InCtrctInf>';
  for (const name of lineSegmentOrder) {
    const segment = record.segments[name];
    if (segment === undefined) continue;
    out += fieldsXml(
      name,
      name === 'CtrctBsSgmt' ? withIdentity(segment, identity) : segment,
      fieldOrder[name],
    );
  }
  return `${out}</InCtrctInf>`;
}

/** One record as the file carries it, the borrower's identity in its base segment. */
export function recordXml(record: BureauRecord, identity: Identity): string {
  return record.infRecType === '210' ? accountXml(record, identity) : lineXml(record, identity);
}

export const fileHead = '<?xml version="1.0" encoding="UTF-8"?>\n<Document>\n';
export const fileTail = '</Document>\n';

/** Builds a file chunk by chunk: the digest and the size follow every chunk written. */
export class SubmissionFileWriter {
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #records = 0;
  #closed = false;

  /** The head; call once first. */
  head(): string {
    return this.#write(fileHead);
  }

  /** The records' XML, one line each. */
  records(records: readonly { record: BureauRecord; identity: Identity }[]): string {
    let chunk = '';
    for (const { record, identity } of records) chunk += `${recordXml(record, identity)}\n`;
    this.#records += records.length;
    return this.#write(chunk);
  }

  /** The tail, and the file's digest, size and record count. */
  finish(): { tail: string; digest: string; bytes: number; records: number } {
    const tail = this.#write(fileTail);
    this.#closed = true;
    return { tail, digest: this.#hash.digest('hex'), bytes: this.#bytes, records: this.#records };
  }

  #write(text: string): string {
    if (this.#closed) throw new Error('the file is finished');
    const bytes = Buffer.from(text, 'utf8');
    this.#hash.update(bytes);
    this.#bytes += bytes.length;
    return text;
  }
}

/** A whole file at once (small files, tests). */
export function submissionFile(records: readonly { record: BureauRecord; identity: Identity }[]): {
  xml: string;
  digest: string;
  bytes: number;
} {
  const writer = new SubmissionFileWriter();
  const xml = writer.head() + writer.records(records);
  const done = writer.finish();
  return { xml: xml + done.tail, digest: done.digest, bytes: done.bytes };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export type FeedbackItem = {
  acctCode: string;
  rptDate: string;
  rptDateCode: string;
  /** 反馈信息代码 and 反馈信息 (why the bureau refused it). */
  code: string;
  message: string;
};

/**
 * The bureau's feedback file (反馈报文) as read here: <FbRec> elements of the records it refused,
 * each naming the record by AcctCode (or ContractCode), RptDate and RptDateCode, with FbCode and
 * FbMsg. Every other record of the submission was accepted. Answers undefined for a text that is
 * not such a document.
 */
export function parseFeedbackXml(text: string): FeedbackItem[] | undefined {
  if (!/<Feedback[\s>]/.test(text)) return undefined;
  const items: FeedbackItem[] = [];
  const item = (body: string, tag: string) => {
    const found = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body);
    return found === null ? '' : unescapeXml(found[1] ?? '').trim();
  };
  for (const match of text.matchAll(/<FbRec>([\s\S]*?)<\/FbRec>/g)) {
    const body = match[1] ?? '';
    items.push({
      acctCode: item(body, 'AcctCode') || item(body, 'ContractCode'),
      rptDate: item(body, 'RptDate'),
      rptDateCode: item(body, 'RptDateCode'),
      code: item(body, 'FbCode'),
      message: item(body, 'FbMsg'),
    });
  }
  return items;
}

export type FeedbackLine = { recordId: string; result: 'accepted' | 'rejected'; reason: string };

/**
 * A CSV of `recordId,result,reason` (a header line naming those columns is skipped; a reason may be
 * quoted, "" inside for a quote). Answers the lines, or the line numbers that are not such lines.
 */
export function parseFeedbackCsv(
  text: string,
): { ok: true; lines: FeedbackLine[] } | { ok: false; badLines: number[] } {
  const lines: FeedbackLine[] = [];
  const bad: number[] = [];
  const rows = text.split(/\r?\n/);
  for (const [index, raw] of rows.entries()) {
    const row = raw.trim();
    if (row === '') continue;
    if (index === 0 && /^record_?id\s*,/i.test(row)) continue;
    const match =
      /^([0-9a-fA-F-]{36})\s*,\s*(accepted|rejected|accept|reject)\s*(?:,\s*(?:"((?:[^"]|"")*)"|([^,]*)))?$/.exec(
        row,
      );
    if (match === null) {
      bad.push(index + 1);
      continue;
    }
    const result = (match[2] ?? '').startsWith('accept') ? 'accepted' : 'rejected';
    const reason = match[3] !== undefined ? match[3].replace(/""/g, '"') : (match[4] ?? '').trim();
    lines.push({ recordId: (match[1] ?? '').toLowerCase(), result, reason });
  }
  return bad.length > 0 ? { ok: false, badLines: bad } : { ok: true, lines };
}
