import type { Problem } from './fenqi.ts';
import {
  type CatalogueItem,
  type OrderStatus,
  type ReceivedEvent,
  type ShopOrder,
  statusLabels,
  type Text,
} from './shop.ts';

// The shop's pages: server-rendered HTML, zh-CN with English beneath, one column that fits a
// phone. The order page's live status is the one script, /assets/sandbox.js (served as a file, so
// a Content-Security-Policy without inline scripts holds).

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);

/** "680000" (fen) → "¥6,800.00". */
export function yuan(minor: string): string {
  const fen = BigInt(minor);
  const sign = fen < 0n ? '-' : '';
  const abs = fen < 0n ? -fen : fen;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}

const bilingual = (text: Text, tag = 'span') =>
  `<${tag} class="zh">${escapeHtml(text.zh)}</${tag}><${tag} class="en">${escapeHtml(text.en)}</${tag}>`;

const styles = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f5f6f8;color:#1f2329;line-height:1.5}
header{background:#e8462f;color:#fff;padding:12px 16px;display:flex;align-items:center;justify-content:space-between}
header a{color:#fff;text-decoration:none;font-size:18px;font-weight:600}
header small{display:block;font-size:12px;font-weight:400;opacity:.85}
.tag{font-size:12px;border:1px solid rgba(255,255,255,.7);border-radius:10px;padding:1px 8px}
main{max-width:560px;margin:0 auto;padding:12px}
h1{font-size:18px;margin:8px 0}
h2{font-size:15px;margin:16px 0 8px}
.en{display:block;font-size:12px;color:#8a8f99}
header .en,.button .en{color:inherit;opacity:.85}
.card{background:#fff;border-radius:10px;padding:14px;margin-bottom:12px;box-shadow:0 1px 2px rgba(0,0,0,.05)}
.item{display:flex;gap:12px;align-items:flex-start}
.mark{flex:none;width:48px;height:48px;border-radius:12px;background:#fde8e6;color:#e8462f;font-size:24px;font-weight:600;display:flex;align-items:center;justify-content:center}
.grow{flex:1;min-width:0}
.name{font-weight:600}
.price{color:#e8462f;font-size:18px;font-weight:600;margin:6px 0}
.button{display:block;width:100%;border:0;border-radius:22px;background:#e8462f;color:#fff;font-size:15px;padding:9px 12px;text-align:center;text-decoration:none;cursor:pointer;font-family:inherit}
.button.secondary{background:#fff;color:#e8462f;border:1px solid #e8462f}
.actions{display:flex;flex-direction:column;gap:8px}
.status{display:inline-block;border-radius:12px;padding:2px 10px;font-size:14px;font-weight:600;background:#eef0f3}
.status .en{display:inline;margin-left:6px;font-weight:400}
.status.paid,.status.refunded,.status.partially_refunded{background:#e3f6e8;color:#1a7f37}
.status.approved,.status.awaiting_checkout,.status.creating{background:#fff4e0;color:#a15c00}
.status.failed,.status.cancelled,.status.expired{background:#fde8e6;color:#b42318}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0;font-size:14px}
dt{color:#8a8f99}
dd{margin:0;overflow-wrap:anywhere}
ol,ul{margin:0;padding-left:20px;font-size:14px}
li{margin:4px 0;overflow-wrap:anywhere}
.muted{color:#8a8f99;font-size:12px}
.problem{background:#fde8e6;color:#b42318;border-radius:8px;padding:10px;font-size:14px;overflow-wrap:anywhere}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;background:#f5f6f8;padding:8px;border-radius:6px;margin:0}
footer{max-width:560px;margin:0 auto;padding:8px 16px 24px;font-size:12px;color:#8a8f99}
[hidden]{display:none!important}
`;

function layout(base: string, title: string, body: string, script = false): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · 演示商城</title>
<style>${styles}</style>
${script ? `<script src="${base}/assets/sandbox.js" defer></script>` : ''}
</head>
<body>
<header><a href="${base}/">演示商城<small>Fenqi sandbox shop</small></a><span class="tag">演示 Demo</span></header>
<main>
${body}
</main>
<footer>
本商城演示商户如何接入分期平台：服务端用签名请求调用商户 API，并验证平台的 Webhook。订单仅保存在内存中，重启即清空。
<span class="en">A demo of a merchant integration: the server calls Fenqi's merchant API with signed requests and verifies Fenqi's webhooks. Orders are kept in memory only and are forgotten on restart.</span>
</footer>
</body>
</html>`;
}

export function statusBadge(status: OrderStatus): string {
  return `<span class="status ${status}" data-status>${bilingual(statusLabels[status])}</span>`;
}

function orderLine(base: string, order: ShopOrder): string {
  return `<li><a href="${base}/orders/${encodeURIComponent(order.merchantOrderId)}">${escapeHtml(order.merchantOrderId)}</a>
 ${escapeHtml(order.name.zh)} ${yuan(order.amountMinor)} ${statusBadge(order.status)}</li>`;
}

export function cataloguePage(base: string, items: readonly CatalogueItem[], orders: ShopOrder[]): string {
  const cards = items
    .map(
      (item) => `<section class="card item">
<div class="mark" aria-hidden="true">${escapeHtml(item.mark)}</div>
<div class="grow">
<div class="name">${bilingual(item.name, 'div')}</div>
<div class="muted">${escapeHtml(item.blurb.zh)} · ${escapeHtml(item.blurb.en)}</div>
<div class="price">${yuan(item.priceMinor)}</div>
<form method="post" action="${base}/orders">
<input type="hidden" name="sku" value="${escapeHtml(item.sku)}">
<button class="button" type="submit" data-buy="${escapeHtml(item.sku)}">分期购买<span class="en">Buy in installments</span></button>
</form>
</div>
</section>`,
    )
    .join('\n');
  const recent =
    orders.length === 0
      ? ''
      : `<h2>最近订单 <span class="en">Recent orders</span></h2>
<section class="card"><ul>${orders
          .slice(0, 10)
          .map((order) => orderLine(base, order))
          .join('\n')}</ul></section>`;
  return layout(
    base,
    '商品',
    `<h1>精选商品<span class="en">Pick something, pay in installments</span></h1>
${cards}
${recent}`,
  );
}

function history(order: ShopOrder): string {
  return order.history
    .map(
      (change) =>
        `<li>${escapeHtml(statusLabels[change.status].zh)} / ${escapeHtml(statusLabels[change.status].en)}
 <span class="muted">${escapeHtml(change.at)} · ${change.via}${change.eventId ? ` ${escapeHtml(change.eventId)}` : ''}${change.note ? ` · ${escapeHtml(change.note)}` : ''}</span></li>`,
    )
    .join('\n');
}

function eventList(events: ReceivedEvent[]): string {
  if (events.length === 0) return '<li class="muted">尚未收到 / none yet</li>';
  return events
    .map(
      (event) =>
        `<li>${escapeHtml(event.type)} <span class="muted">${escapeHtml(event.id)} · ${escapeHtml(event.receivedAt)}${event.deliveries > 1 ? ` · ×${event.deliveries}` : ''}</span></li>`,
    )
    .join('\n');
}

export function orderPage(base: string, order: ShopOrder, events: ReceivedEvent[]): string {
  const id = encodeURIComponent(order.merchantOrderId);
  const when = (statuses: OrderStatus[]) =>
    `data-when="${statuses.join(' ')}"${statuses.includes(order.status) ? '' : ' hidden'}`;
  const problem = order.problem
    ? `<div class="problem">Fenqi ${order.problem.status} <b>${escapeHtml(order.problem.code)}</b>: ${escapeHtml(order.problem.detail)}</div>`
    : '';
  return layout(
    base,
    order.merchantOrderId,
    `<div data-order-url="${base}/api/orders/${id}">
<h1>订单详情<span class="en">Order ${escapeHtml(order.merchantOrderId)}</span></h1>
<section class="card">
<p>${statusBadge(order.status)}</p>
<dl>
<dt>商品 Item</dt><dd>${escapeHtml(order.name.zh)} · ${escapeHtml(order.name.en)}</dd>
<dt>金额 Amount</dt><dd>${yuan(order.amountMinor)}</dd>
<dt>商户订单号 Order id</dt><dd>${escapeHtml(order.merchantOrderId)}</dd>
<dt>借据 Loan</dt><dd data-loan>${escapeHtml(order.loanNo ?? '—')}</dd>
</dl>
${problem}
</section>
<section class="card actions">
<a class="button" ${when(['awaiting_checkout'])} href="${escapeHtml(order.checkoutUrl ?? '#')}">去分期付款<span class="en">Continue to checkout</span></a>
<form method="post" action="${base}/orders/${id}/cancel" ${when(['awaiting_checkout'])}>
<button class="button secondary" type="submit">取消订单<span class="en">Cancel the order</span></button>
</form>
<form method="post" action="${base}/orders/${id}/refund" ${when(['paid', 'partially_refunded'])}>
<button class="button secondary" type="submit">全额退款<span class="en">Refund in full</span></button>
</form>
<button class="button secondary" type="button" data-check>向 Fenqi 查询订单<span class="en">Ask Fenqi for this order (signed GET)</span></button>
<pre data-fenqi hidden></pre>
</section>
<h2>状态变化 <span class="en">Status changes (via: api answer, webhook, query)</span></h2>
<section class="card"><ol data-history>${history(order)}</ol></section>
<h2>收到的 Webhook <span class="en">Webhooks received for this order (verified, deduplicated by event id)</span></h2>
<section class="card"><ul data-events>${eventList(events)}</ul>
<p class="muted">页面每 2 秒自动刷新状态 · The status refreshes every 2 s.</p></section>
</div>`,
    true,
  );
}

export function problemPage(base: string, title: Text, problem: Problem | { detail: string }): string {
  const code = 'code' in problem ? `Fenqi ${problem.status} <b>${escapeHtml(problem.code)}</b>: ` : '';
  return layout(
    base,
    title.zh,
    `<h1>${bilingual(title)}</h1>
<section class="card"><div class="problem">${code}${escapeHtml(problem.detail)}</div>
<p><a class="button secondary" href="${base}/">返回商城<span class="en">Back to the shop</span></a></p></section>`,
  );
}

/** The JSON the order page polls: the order and the events received about it. */
export function orderJson(order: ShopOrder, events: ReceivedEvent[]) {
  return {
    order,
    labels: statusLabels,
    events: events.map((event) => ({
      id: event.id,
      type: event.type,
      receivedAt: event.receivedAt,
      deliveries: event.deliveries,
      moved: event.moved,
    })),
  };
}
