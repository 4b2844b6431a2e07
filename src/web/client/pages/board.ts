// The board: active instances, claims with the lease time left, messages and recent handoffs.
import { get, type BoardData } from '../api.js';
import { ago, h, snippet } from '../dom.js';
import { onChange, type Page } from '../router.js';

function left(ms: number): string {
  if (ms <= 0) return 'expired';
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min left` : `${m} min ${String(s).padStart(2, '0')} s left`;
}

function table(caption: string, head: string[], rows: Array<Array<Node | string>>, empty: string): HTMLElement {
  if (rows.length === 0) return h('section', {}, h('h2', {}, caption), h('p', { class: 'muted' }, empty));
  return h(
    'section',
    {},
    h('h2', {}, caption),
    h('table', {}, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c)))))),
  );
}

export const boardPage: Page = async (root) => {
  let data = await get<BoardData>('/api/board');
  // The server's clock, so lease countdowns do not depend on the browser's.
  let skew = Date.parse(data.now) - Date.now();
  const render = () => {
    const now = Date.parse(data.now);
    const active = data.instances.filter((i) => i.status === 'active' || i.status === 'idle');
    root.replaceChildren(
      h('h1', {}, 'Board'),
      table('Instances', ['name', 'model', 'status', 'last seen', 'working at', 'last check-in'], active.map((i) => [i.name, i.model ?? '—', h('span', { class: `status s-${i.status}` }, i.status), ago(i.lastSeenAt, now), i.places.join(', ') || '—', i.lastCheckIn ? snippet(i.lastCheckIn, 120) : '—']), 'No active instances.'),
      table('Claims', ['target', 'holder', 'lease', 'note'], data.claims.map((c) => [c.target, c.holder, h('span', { class: 'lease', 'data-expires': String(Date.parse(c.expiresAt)) }, left(Date.parse(c.expiresAt) - now)), c.note ?? '']), 'No live claims.'),
      table('Messages', ['from', 'to', 'message', 'sent'], data.messages.map((m) => [m.from.name, m.to ?? 'everyone', h('span', { class: 'text' }, m.text), ago(m.createdAt, now)]), 'No messages.'),
      table('Handoffs', ['instance', 'summary', 'written'], data.handoffs.map((x) => [x.instance, h('span', { class: 'text' }, snippet(x.summary, 300)), ago(x.createdAt, now)]), 'No handoffs yet.'),
    );
  };
  render();
  const tick = setInterval(() => {
    for (const el of root.querySelectorAll<HTMLElement>('.lease')) el.textContent = left(Number(el.dataset['expires']) - (Date.now() + skew));
  }, 1000);
  const off = onChange((e) => {
    if (!/^(instance|claim|message|handoff)\./u.test(e.type)) return;
    void get<BoardData>('/api/board').then((d) => {
      data = d;
      skew = Date.parse(d.now) - Date.now();
      render();
    });
  });
  return () => {
    clearInterval(tick);
    off();
  };
};
