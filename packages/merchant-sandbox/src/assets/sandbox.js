// The order page's live status: polls the sandbox's own JSON (which reflects the webhooks it has
// verified) every 2 s, and asks Fenqi on request (the sandbox's server makes the signed GET).

const root = document.querySelector('[data-order-url]');
const url = root?.getAttribute('data-order-url');

function text(tag, value, className) {
  const element = document.createElement(tag);
  element.textContent = value;
  if (className) element.className = className;
  return element;
}

function render(answer) {
  const { order, labels, events } = answer;
  const label = labels[order.status];
  const badge = document.querySelector('[data-status]');
  badge.className = `status ${order.status}`;
  badge.replaceChildren(text('span', label.zh, 'zh'), text('span', label.en, 'en'));
  document.querySelector('[data-loan]').textContent = order.loanNo ?? '—';
  for (const element of document.querySelectorAll('[data-when]'))
    element.hidden = !element.getAttribute('data-when').split(' ').includes(order.status);
  const history = document.querySelector('[data-history]');
  history.replaceChildren(
    ...order.history.map((change) => {
      const item = text('li', `${labels[change.status].zh} / ${labels[change.status].en} `);
      const detail = [change.at, change.via, change.eventId, change.note].filter(Boolean).join(' · ');
      item.append(text('span', detail, 'muted'));
      return item;
    }),
  );
  const list = document.querySelector('[data-events]');
  list.replaceChildren(
    ...(events.length === 0
      ? [text('li', '尚未收到 / none yet', 'muted')]
      : events.map((event) => {
          const item = text('li', `${event.type} `);
          const times = event.deliveries > 1 ? ` · ×${event.deliveries}` : '';
          item.append(text('span', `${event.id} · ${event.receivedAt}${times}`, 'muted'));
          return item;
        })),
  );
}

async function refresh() {
  try {
    const response = await fetch(url, { headers: { accept: 'application/json' } });
    if (response.ok) render(await response.json());
  } catch {
    // The next poll tries again.
  }
}

if (url) {
  setInterval(refresh, 2000);
  document.querySelector('[data-check]')?.addEventListener('click', async () => {
    const out = document.querySelector('[data-fenqi]');
    out.hidden = false;
    out.textContent = '查询中… / asking Fenqi…';
    try {
      const response = await fetch(`${url}?check=fenqi`, { headers: { accept: 'application/json' } });
      const answer = await response.json();
      render(answer);
      out.textContent = JSON.stringify(answer.fenqi, null, 2);
    } catch (error) {
      out.textContent = String(error);
    }
  });
}
