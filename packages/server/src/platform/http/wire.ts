import { z } from 'zod';
import { isIsoDate } from '../business-date.ts';
import { text } from './text.ts';

// How values travel on the wire, in one place. Handlers and services work with bigint minor units,
// bigint ids and Date instants; these codecs are the schemas' fields, so validation decodes a
// request into those types and serialization (z.encode in register.ts) encodes a handler's result
// back to JSON. int64 does not fit a JSON number, so money and ids are decimal strings.

/** The largest PostgreSQL bigint: ids and cursors beyond it cannot exist. */
export const int8Max = 9_223_372_036_854_775_807n;

/** An amount in minor units (fen for CNY), as a decimal string. */
export const minorUnits = z.codec(
  text()
    .regex(/^-?\d{1,40}$/, 'must be a whole number of minor units')
    .describe('An amount in minor units (fen for CNY), as a decimal string'),
  z.bigint(),
  { decode: (value) => BigInt(value), encode: (value) => value.toString() },
);

/**
 * A positive bigint id (journal entry, audit seq) as a decimal string, within PostgreSQL's bigint:
 * a longer or larger number names nothing and would overflow the query's parameter.
 */
export function bigintIdCodec(message = `must be a whole number from 1 to ${int8Max}`) {
  return z.codec(
    text()
      .regex(/^[1-9]\d{0,18}$/, message)
      .describe('A positive 64-bit id, as a decimal string'),
    z.bigint().max(int8Max, message),
    { decode: (value) => BigInt(value), encode: (value) => value.toString() },
  );
}

export const bigintId = bigintIdCodec();

/** An instant, ISO 8601 in UTC (`2026-12-01T08:00:00.000Z`). */
export const instant = z.codec(z.iso.datetime().describe('An instant, ISO 8601 in UTC'), z.date(), {
  decode: (value) => new Date(value),
  encode: (value) => value.toISOString(),
});

/** A calendar date, `YYYY-MM-DD` (a business or settlement date: never a time, never a zone). */
export const isoDate = text().refine(isIsoDate, 'must be a date YYYY-MM-DD').describe('A date, YYYY-MM-DD');
