import { localDate, residentIdCheckCharacter } from '@fenqi/core';
import { describe, expect, it } from 'vitest';
import { checkImport, importRowsMax, parseCsv } from '../../src/modules/risk/blacklist/csv.ts';

// The import file's reader and row checks, without a database: RFC 4180 records with the line each
// starts on, and one error per problem with its line and column.

const asOf = localDate('2026-06-15');
const header = 'kind,value,reason,expires_on,note';
const idNumber = (first17: string) => `${first17}${residentIdCheckCharacter(first17)}`;
const validId = idNumber('11010519900307123');

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF and LF, a BOM, and skips blank lines', () => {
    const text = `\uFEFF${header}\r\nphone,13800000001,fraud_confirmed,,"a, b"\r\n\r\ndevice,dev-1,other,,"said ""hi""\nthen left"\n   \nphone,13800000002,cash_out,2026-07-01,\n`;
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['kind', 'value', 'reason', 'expires_on', 'note'] },
      { line: 2, fields: ['phone', '13800000001', 'fraud_confirmed', '', 'a, b'] },
      { line: 4, fields: ['device', 'dev-1', 'other', '', 'said "hi"\nthen left'] },
      { line: 7, fields: ['phone', '13800000002', 'cash_out', '2026-07-01', ''] },
    ]);
  });

  it('reads the last line without a line break', () => {
    expect(parseCsv('a,b\nc,d')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
  });

  it('marks a stray quote, text after a closing quote and a quote never closed', () => {
    expect(parseCsv('a,b"c\n"x"y,z\nok,1\n"open,2\nmore')).toEqual([
      {
        line: 1,
        fields: ['a', 'b"c'],
        error: 'has a quote inside an unquoted field (quote the field and write the quote as "")',
      },
      {
        line: 2,
        fields: ['x', 'z'],
        error: 'has text after a closing quote (a quote inside a field is written "")',
      },
      { line: 3, fields: ['ok', '1'] },
      { line: 4, fields: ['open,2\nmore'], error: 'a quoted field opened on line 4 is never closed' },
    ]);
  });
});

describe('checkImport', () => {
  it('gives the rows, normalised, when every row is right', () => {
    const text = [
      header,
      `id_number,${validId.toLowerCase()},identity_theft,2027-01-01,`,
      'card,6222 0212 3456 7890 128,cash_out,,card used for fake purchases',
      ' phone , 13912345678 , self_exclusion ,,',
    ].join('\n');
    expect(checkImport(text, asOf)).toEqual({
      rowsRead: 3,
      errors: [],
      rows: [
        {
          line: 2,
          kind: 'id_number',
          value: validId,
          reason: 'identity_theft',
          expiresOn: '2027-01-01',
          note: null,
        },
        {
          line: 3,
          kind: 'card',
          value: '6222021234567890128',
          reason: 'cash_out',
          expiresOn: null,
          note: 'card used for fake purchases',
        },
        {
          line: 4,
          kind: 'phone',
          value: '13912345678',
          reason: 'self_exclusion',
          expiresOn: null,
          note: null,
        },
      ],
    });
  });

  it('refuses a wrong header, and a file with no entries', () => {
    expect(checkImport('kind,value,reason,note\n', asOf).errors).toEqual([
      {
        line: 1,
        column: null,
        code: 'header_invalid',
        message: 'the first line must be the header kind,value,reason,expires_on,note',
      },
      { line: 1, column: null, code: 'no_rows', message: 'the file has no entries after the header' },
    ]);
    expect(checkImport('', asOf).errors.map((error) => error.code)).toEqual(['header_invalid']);
  });

  it(`stops at more than ${importRowsMax} entries without checking them`, () => {
    const rows = Array.from({ length: importRowsMax + 1 }, () => 'nonsense');
    expect(checkImport([header, ...rows].join('\n'), asOf)).toEqual({
      rows: [],
      rowsRead: importRowsMax + 1,
      errors: [
        {
          line: importRowsMax + 2,
          column: null,
          code: 'too_many_rows',
          message: `the file has ${importRowsMax + 1} entries; one import takes at most ${importRowsMax} (split the file)`,
        },
      ],
    });
  });

  it('reports every column of a bad row, and a repeated value at its later line', () => {
    const text = [
      header,
      'phone,12345,because,2026-13-01,',
      'phone,13800000003,fraud_confirmed,,',
      'phone,13800000003,cash_out,,',
    ].join('\n');
    expect(checkImport(text, asOf).errors).toEqual([
      {
        line: 2,
        column: 'value',
        code: 'phone_invalid',
        message: 'must be a mainland China mobile number of 11 digits starting 13 to 19',
      },
      {
        line: 2,
        column: 'reason',
        code: 'reason_unknown',
        message:
          'must be one of fraud_confirmed, identity_theft, forged_documents, dishonest_debtor, money_laundering, cash_out, self_exclusion, regulatory_request, other',
      },
      { line: 2, column: 'expires_on', code: 'date_invalid', message: 'must be a date YYYY-MM-DD' },
      { line: 4, column: 'value', code: 'duplicate_row', message: 'repeats the phone of line 3' },
    ]);
  });
});
