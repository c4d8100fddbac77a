import { createHash, randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { SimContext } from './context.ts';
import { rejected } from './http.ts';
import { behaviourFor, builtInBindFailure } from './rules.ts';
import { inTransaction, loadRules } from './store.ts';

// Card binding: four elements checked against the "bank records" (everything well-formed is on
// record, except what a rule or a built-in card suffix says), an SMS code, a confirmation that
// yields an agreement. Binding a card again voids its older agreements.

const smsLifetimeMs = 5 * 60_000;
const text = (max: number) => z.string().min(1).max(max);

export const applySchema = z.object({
  orderNo: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: text(64),
  idNumber: text(32),
  cardNo: text(32),
  phone: text(32),
});
export const confirmSchema = z.object({ orderNo: text(64), smsCode: text(16) });
export const unbindSchema = z.object({ agreementNo: text(64) });

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const maskCard = (cardNo: string) => `${cardNo.slice(0, 6)}******${cardNo.slice(-4)}`;

/** The element a malformed value names, as a bank that finds no such record would. */
function malformedElement(body: z.output<typeof applySchema>): string | null {
  if (!/^1\d{10}$/.test(body.phone)) return 'BF00343';
  if (!/^\d{12,19}$/.test(body.cardNo)) return 'BF00344';
  if (!/^[\p{L}·. ]{1,64}$/u.test(body.name)) return 'BF00345';
  if (!/^\d{17}[\dXx]$/.test(body.idNumber)) return 'BF00346';
  return null;
}

const elementMessages: Record<string, string> = {
  BF00343: 'the phone number is not the one on record',
  BF00344: 'the card number is not valid',
  BF00345: 'the name does not match the card',
  BF00346: 'the ID number does not match the card',
};

export async function applyBinding(context: SimContext, body: z.output<typeof applySchema>) {
  const failure =
    malformedElement(body) ??
    behaviourFor(await loadRules(context.pool), { kind: 'BIND', cardNo: body.cardNo }).fail ??
    builtInBindFailure(body.cardNo);
  if (failure) return rejected(failure, elementMessages[failure] ?? 'the binding failed');
  const smsCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const { rowCount } = await context.pool.query(
    `INSERT INTO channel_sim.bindings
       (order_no, elements_hash, card_hash, card_no_masked, sms_code, status, created_at)
     VALUES ($1, $2, $3, $4, $5, 'SMS_SENT', $6)
     ON CONFLICT (order_no) DO NOTHING`,
    [
      body.orderNo,
      sha256([body.name, body.idNumber, body.cardNo, body.phone].join('\n')),
      sha256(body.cardNo),
      maskCard(body.cardNo),
      smsCode,
      new Date(context.now()),
    ],
  );
  if (rowCount !== 1) return rejected('BF00126', 'duplicate order number');
  return { returnCode: 'ACCEPTED' as const, status: 'SMS_SENT' as const };
}

export async function confirmBinding(context: SimContext, body: z.output<typeof confirmSchema>) {
  return inTransaction(context.pool, async (client) => {
    const { rows } = await client.query<{
      sms_code: string;
      status: string;
      agreement_no: string | null;
      card_hash: string;
      card_no_masked: string;
      created_at: Date;
    }>(
      `SELECT sms_code, status, agreement_no, card_hash, card_no_masked, created_at
         FROM channel_sim.bindings WHERE order_no = $1 FOR UPDATE`,
      [body.orderNo],
    );
    const binding = rows[0];
    if (!binding) return rejected('BF00349', 'no binding with this order number');
    // A repeated confirmation (a retry after a lost answer) gets the same agreement.
    if (binding.status === 'BOUND' && binding.agreement_no)
      return { returnCode: 'ACCEPTED' as const, status: 'BOUND' as const, agreementNo: binding.agreement_no };
    const nowMs = context.now();
    if (nowMs - binding.created_at.getTime() > smsLifetimeMs)
      return rejected('BF00348', 'the SMS code has expired');
    if (body.smsCode !== binding.sms_code) return rejected('BF00347', 'the SMS code is wrong');
    const agreementNo = `AG${randomBytes(10).toString('hex').toUpperCase()}`;
    const now = new Date(nowMs);
    await client.query(
      `UPDATE channel_sim.agreements SET status = 'VOID', ended_at = $2
        WHERE card_hash = $1 AND status = 'ACTIVE'`,
      [binding.card_hash, now],
    );
    await client.query(
      `INSERT INTO channel_sim.agreements (agreement_no, card_hash, card_no_masked, status, created_at)
       VALUES ($1, $2, $3, 'ACTIVE', $4)`,
      [agreementNo, binding.card_hash, binding.card_no_masked, now],
    );
    await client.query(
      `UPDATE channel_sim.bindings SET status = 'BOUND', agreement_no = $2 WHERE order_no = $1`,
      [body.orderNo, agreementNo],
    );
    return { returnCode: 'ACCEPTED' as const, status: 'BOUND' as const, agreementNo };
  });
}

export async function unbind(context: SimContext, body: z.output<typeof unbindSchema>) {
  const { rowCount } = await context.pool.query(
    `UPDATE channel_sim.agreements SET status = 'UNBOUND', ended_at = $2
      WHERE agreement_no = $1 AND status <> 'VOID'`,
    [body.agreementNo, new Date(context.now())],
  );
  if (rowCount !== 1) return rejected('BF00360', 'agreement invalid');
  return { returnCode: 'ACCEPTED' as const, status: 'UNBOUND' as const };
}

export async function smsCodeOf(context: SimContext, orderNo: string) {
  const { rows } = await context.pool.query<{ sms_code: string }>(
    `SELECT sms_code FROM channel_sim.bindings WHERE order_no = $1`,
    [orderNo],
  );
  return rows[0] ? { orderNo, smsCode: rows[0].sms_code } : null;
}
