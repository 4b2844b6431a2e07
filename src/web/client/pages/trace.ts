// The trace page: its text, provenance, annotations, history, and strength over time.
import { get, type Annotation, type LogEvent, type StrengthSeries, type Trace } from '../api.js';
import { ago, h, route, shortTime } from '../dom.js';
import { strengthPlot } from '../plot.js';
import { onChange, type Page } from '../router.js';
import { eventRow } from './timeline.js';

function provenance(t: Trace, now: number | undefined): HTMLElement {
  const rows: Array<[string, Node | string]> = [
    ['kind', t.kind],
    ['status', t.status],
    ['author', `${t.author.name} (${t.author.role}${t.author.model ? `, ${t.author.model}` : ''})`],
    ['source', t.source],
    ['trust', t.trust],
    ['created', `${shortTime(t.createdAt)} (${ago(t.createdAt)})`],
    ['updated', shortTime(t.updatedAt)],
    ['follows', String(t.follows)],
    ['strength now', now === undefined ? '?' : now.toFixed(3)],
    ['version', String(t.version)],
    ['places', t.places.length ? h('span', {}, ...t.places.flatMap((p, i) => [i ? ', ' : '', h('a', { href: route('search', { query: '', place: p }) }, p)])) : '—'],
    ['tags', t.tags.length ? t.tags.join(', ') : '—'],
  ];
  return h('dl', { class: 'provenance' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function annotationList(list: Annotation[]): HTMLElement {
  if (list.length === 0) return h('p', { class: 'muted' }, 'No annotations.');
  return h('ul', { class: 'annotations' }, ...list.map((a) => h('li', { class: `stance-${a.stance}` }, h('strong', {}, a.stance), ` by ${a.author.name} · ${ago(a.createdAt)}: `, h('span', { class: 'text' }, a.text))));
}

export const tracePage: Page = async (root, _params, id) => {
  const render = async () => {
    const [{ trace, annotations }, { events }, series] = await Promise.all([
      get<{ trace: Trace; annotations: Annotation[] }>(`/api/traces/${encodeURIComponent(id)}`),
      get<{ events: LogEvent[] }>('/api/history', { id, limit: '200' }),
      get<StrengthSeries>(`/api/traces/${encodeURIComponent(id)}/strength`),
    ]);
    const now = series.points.at(-1)?.strength;
    root.replaceChildren(
      h('h1', {}, `Trace ${trace.id}`),
      h('div', { class: `trace-text kind-${trace.kind}`, 'data-testid': 'trace-text' }, trace.text),
      h('div', { class: 'columns' },
        h('section', {}, h('h2', {}, 'Provenance'), provenance(trace, now)),
        h('section', {}, h('h2', {}, 'Strength over time'), strengthPlot(series.points, `Strength of ${trace.id} over time, now ${now?.toFixed(2) ?? '?'}`)),
      ),
      h('section', {}, h('h2', {}, `Annotations (${annotations.length})`), annotationList(annotations)),
      h('section', {}, h('h2', {}, 'History'), h('ol', { class: 'events' }, ...events.map((e) => eventRow(e, () => void render())))),
    );
  };
  await render();
  return onChange((e) => {
    if (e.traceId === id) void render();
  });
};
