import type { Config } from '../../../platform/config.ts';
import type { DB, Tx } from '../../../platform/db.ts';
import type { DateString } from '../../../platform/tables.ts';
import { matchKeyOf } from './entries.ts';
import * as store from './store.ts';
import type { BlacklistDb, BlacklistKind } from './tables.ts';

// What credit decisions ask of the blacklist: which of an applicant's identifiers it lists on a
// business date. One indexed query, whatever the probe holds.

/** Cards one probe may name (a customer's bound cards). */
const probeCardsMax = 50;

export type BlacklistProbe = { idNumber?: string; phone?: string; cardNumbers?: string[]; deviceId?: string };

/**
 * The same probe by blind index: the values as the customers module stores them (`id_number_bidx`,
 * `phone_bidx`, `card_number_bidx` — the same key and kinds as the blacklist's), so a caller holding
 * those need decrypt nothing.
 */
export type BlacklistIndexProbe = {
  idNumberIndex?: string;
  phoneIndex?: string;
  cardNumberIndexes?: string[];
  deviceId?: string;
};

export type BlacklistHits = {
  idNumber: boolean;
  phone: boolean;
  card: boolean;
  device: boolean;
  entries: { id: string; kind: BlacklistKind; reason: string }[];
};

/**
 * Which of an applicant's identifiers are blacklisted on `asOf` (a business date): entries approved
 * on or before it, neither removed nor expired by then. Values are matched through their blind
 * indexes as given (normalised as the index normalises: spaces and hyphens dropped, letters
 * upper-cased); a malformed value simply matches nothing.
 */
export async function blacklistHits(
  db: DB | Tx,
  config: Config,
  probe: BlacklistProbe,
  asOf: DateString,
): Promise<BlacklistHits> {
  const byIndex: BlacklistIndexProbe = {};
  if (probe.idNumber !== undefined) byIndex.idNumberIndex = matchKeyOf(config, 'id_number', probe.idNumber);
  if (probe.phone !== undefined) byIndex.phoneIndex = matchKeyOf(config, 'phone', probe.phone);
  if (probe.cardNumbers !== undefined)
    byIndex.cardNumberIndexes = probe.cardNumbers.map((card) => matchKeyOf(config, 'card', card));
  if (probe.deviceId !== undefined) byIndex.deviceId = probe.deviceId;
  return blacklistHitsByIndex(db, byIndex, asOf);
}

/** blacklistHits for values given by their blind indexes. */
export async function blacklistHitsByIndex(
  db: DB | Tx,
  probe: BlacklistIndexProbe,
  asOf: DateString,
): Promise<BlacklistHits> {
  const cards = probe.cardNumberIndexes ?? [];
  if (cards.length > probeCardsMax)
    throw new Error(`blacklistHits: at most ${probeCardsMax} cards per probe`);
  const values: { kind: BlacklistKind; matchKey: string }[] = [];
  if (probe.idNumberIndex !== undefined) values.push({ kind: 'id_number', matchKey: probe.idNumberIndex });
  if (probe.phoneIndex !== undefined) values.push({ kind: 'phone', matchKey: probe.phoneIndex });
  for (const card of cards) values.push({ kind: 'card', matchKey: card });
  if (probe.deviceId !== undefined) values.push({ kind: 'device', matchKey: probe.deviceId.trim() });
  const rows = await store.entriesApplyingOn(db as BlacklistDb, values, asOf);
  const hit = (kind: BlacklistKind) => rows.some((row) => row.kind === kind);
  return {
    idNumber: hit('id_number'),
    phone: hit('phone'),
    card: hit('card'),
    device: hit('device'),
    entries: rows.map((row) => ({ id: String(row.id), kind: row.kind, reason: row.reason_code })),
  };
}
