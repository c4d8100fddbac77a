import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { testLoan } from './fixtures.ts';
import { accountRecord, openingPerformance } from './segments.ts';
import {
  escapeXml,
  parseFeedbackCsv,
  parseFeedbackXml,
  recordXml,
  SubmissionFileWriter,
  submissionFile,
} from './xml.ts';

const loan = testLoan;
const identity = { name: '张三', idType: '10', idNum: '11010519491231002X' };
const opening = accountRecord({
  code: '10',
  rptDate: loan.openDate,
  loan,
  performance: openingPerformance(loan),
  specials: [],
});

describe('escapeXml', () => {
  it('escapes the five markup characters and drops what XML cannot carry', () => {
    expect(escapeXml(`a&b<c>"d'\u0001e\u0000`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;e');
  });
  it('leaves no raw markup character in any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => !/[<>"']|&(?!(amp|lt|gt|quot|apos);)/.test(escapeXml(text))),
    );
  });
});

describe('recordXml', () => {
  it('writes the segments and items in the format’s order, the identity in the base segment', () => {
    // Keys deliberately out of order: the writer follows the format, not the object.
    const { AcctMthlyBlgInfSgmt, AcctBsInfSgmt, AcctBsSgmt } = opening.segments;
    const shuffled = {
      infRecType: '210' as const,
      segments: { AcctMthlyBlgInfSgmt, AcctBsInfSgmt, AcctBsSgmt },
    };
    const xml = recordXml(shuffled, { ...identity, name: '张<三>' });
    expect(
      xml.startsWith(
        '<InAcctInf><AcctBsSgmt><InfRecType>210</InfRecType><AcctType>D1</AcctType><AcctCode>L202601150000000001</AcctCode><RptDate>2026-01-15</RptDate><RptDateCode>10</RptDateCode><Name>张&lt;三&gt;</Name><IDType>10</IDType><IDNum>11010519491231002X</IDNum><MngmtOrgCode>B10000000000FQ</MngmtOrgCode></AcctBsSgmt><AcctBsInfSgmt><BusiLines>1</BusiLines>',
      ),
    ).toBe(true);
    expect(xml.indexOf('<AcctBsInfSgmt>')).toBeLessThan(xml.indexOf('<AcctMthlyBlgInfSgmt>'));
    expect(xml.endsWith('<LatRpyDate>2026-01-15</LatRpyDate></AcctMthlyBlgInfSgmt></InAcctInf>')).toBe(true);
  });

  it('writes special transactions with their count first', () => {
    const record = accountRecord({
      code: '20',
      rptDate: localDate('2026-04-05'),
      loan,
      performance: {
        ...openingPerformance(loan),
        state: 'paid_off',
        closeDate: localDate('2026-04-05'),
        balanceMinor: 0n,
      },
      specials: [
        { type: '5', date: localDate('2026-04-05'), amountMinor: 100_000n, detail: '提前结清 & closed' },
      ],
    });
    expect(recordXml(record, identity)).toContain(
      '<AcctSpecTrstDspnSgmt><CagOfTrdNm>1</CagOfTrdNm><CagOfTrdInf><ChanTranType>5</ChanTranType><TranDate>2026-04-05</TranDate><TranAmt>1000</TranAmt><DueTranMon>0</DueTranMon><DetInfo>提前结清 &amp; closed</DetInfo></CagOfTrdInf></AcctSpecTrstDspnSgmt>',
    );
  });
});

describe('the submission file', () => {
  it('is UTF-8 XML with its SHA-256 digest and byte size', () => {
    const file = submissionFile([{ record: opening, identity }]);
    expect(file.xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Document>\n<InAcctInf>')).toBe(true);
    expect(file.xml.endsWith('</InAcctInf>\n</Document>\n')).toBe(true);
    expect(file.digest).toBe(createHash('sha256').update(Buffer.from(file.xml, 'utf8')).digest('hex'));
    expect(file.bytes).toBe(Buffer.byteLength(file.xml, 'utf8'));
  });
  it('written in chunks has the digest of the whole', () => {
    const writer = new SubmissionFileWriter();
    const parts = [
      writer.head(),
      writer.records([{ record: opening, identity }]),
      writer.records([{ record: opening, identity }]),
    ];
    const done = writer.finish();
    const whole = parts.join('') + done.tail;
    expect(done.records).toBe(2);
    expect(done.digest).toBe(createHash('sha256').update(whole).digest('hex'));
    expect(() => writer.head()).toThrow();
  });
});

describe('feedback files', () => {
  it('reads the bureau’s XML feedback: the records it refused, with code and message', () => {
    const text = `<?xml version="1.0" encoding="UTF-8"?><Feedback><FbRec><AcctCode>L1</AcctCode><RptDate>2026-02-28</RptDate><RptDateCode>30</RptDateCode><FbCode>BLR006</FbCode><FbMsg>缺少月度表现信息段 &amp; more</FbMsg></FbRec></Feedback>`;
    expect(parseFeedbackXml(text)).toEqual([
      {
        acctCode: 'L1',
        rptDate: '2026-02-28',
        rptDateCode: '30',
        code: 'BLR006',
        message: '缺少月度表现信息段 & more',
      },
    ]);
    expect(parseFeedbackXml('recordId,result')).toBeUndefined();
  });
  it('reads a CSV of record ids, results and reasons', () => {
    const id = '0b6f0d4e-3a43-4c2a-9a57-0e4c4f1c2b11';
    expect(
      parseFeedbackCsv(`recordId,result,reason\n${id},rejected,"bad ""date"""\n${id.toUpperCase()},accept\n`),
    ).toEqual({
      ok: true,
      lines: [
        { recordId: id, result: 'rejected', reason: 'bad "date"' },
        { recordId: id, result: 'accepted', reason: '' },
      ],
    });
    expect(parseFeedbackCsv(`${id},maybe\nnot-an-id,accepted`)).toEqual({ ok: false, badLines: [1, 2] });
  });
});
