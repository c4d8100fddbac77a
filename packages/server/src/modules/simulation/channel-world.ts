import type { ChannelWorld } from './context.ts';

// The channel simulator's admin endpoints (docs/payments.md, "The simulated channel's protocol"):
// the SMS code a binding sent, read as the card holder reads their phone, and the behaviour rules
// that stand for the borrowers' bank balances — a debit of a card with no money fails.

/** The code a real bank answers for a debit the balance cannot cover (余额不足). */
export const insufficientFunds = 'BF00311';

async function admin(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`channel simulator ${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text === '' ? null : JSON.parse(text);
}

export function channelWorld(simulatorUrl: string): ChannelWorld {
  const base = simulatorUrl.replace(/\/+$/, '');
  let rules = '';
  return {
    async smsCode(orderNo) {
      const answer = (await admin(base, 'GET', `/admin/sms?orderNo=${encodeURIComponent(orderNo)}`)) as {
        smsCode?: string;
      };
      if (typeof answer.smsCode !== 'string') throw new Error(`the channel sent no SMS for ${orderNo}`);
      return answer.smsCode;
    },
    async setEmptyCards(suffixes) {
      const list = [...new Set(suffixes)].sort().map((suffix) => ({
        match: { kind: 'COLLECT', cardNoSuffix: suffix },
        // biome-ignore lint/suspicious/noThenProperty: the simulator's protocol names it; the value is a plain object
        then: { fail: insufficientFunds },
      }));
      const text = JSON.stringify(list);
      if (text === rules) return;
      await admin(base, 'POST', '/admin/rules', list);
      rules = text;
    },
  };
}
