// Search: the CLI's filters (place, kind, tag, author, since, status, limit) over full text and strength.
import { get, type Trace } from '../api.js';
import { field, h, route, select, snippet } from '../dom.js';
import type { Page } from '../router.js';

const KINDS = ['', 'note', 'insight', 'question', 'decision', 'warning', 'todo', 'instruction'];
const STATUSES = ['', 'live', 'archived', 'forgotten'];
const FIELDS = ['query', 'place', 'kind', 'tag', 'author', 'since', 'status', 'limit'] as const;

interface Result extends Trace {
  score: number;
  parts: { relevance: number; strength: number; context: number; author: number };
}

export const searchPage: Page = async (root, params) => {
  const inputs = {
    query: h('input', { type: 'search', name: 'query', value: params.get('query') ?? '', placeholder: 'gibbs entropy' }),
    place: h('input', { type: 'text', name: 'place', value: params.get('place') ?? '', placeholder: 'src/ or topic:x' }),
    kind: select('kind', KINDS, params.get('kind') ?? ''),
    tag: h('input', { type: 'text', name: 'tag', value: params.get('tag') ?? '' }),
    author: h('input', { type: 'text', name: 'author', value: params.get('author') ?? '' }),
    since: h('input', { type: 'text', name: 'since', value: params.get('since') ?? '', placeholder: '7d or 2026-01-31' }),
    status: select('status', STATUSES, params.get('status') ?? ''),
    limit: h('input', { type: 'number', name: 'limit', min: '1', max: '200', value: params.get('limit') ?? '20' }),
  };
  const labels: Record<(typeof FIELDS)[number], string> = { query: 'Search text', place: 'Place', kind: 'Kind', tag: 'Tag', author: 'Author', since: 'Since', status: 'Status', limit: 'Limit' };
  const form = h(
    'form',
    { class: 'toolbar', role: 'search', onsubmit: (e: Event) => {
      e.preventDefault();
      location.hash = route('search', Object.fromEntries(FIELDS.map((f) => [f, inputs[f].value.trim()])));
    } },
    ...FIELDS.map((f) => field(labels[f], inputs[f])),
    h('button', { type: 'submit' }, 'Search'),
  );
  const out = h('section', { 'aria-live': 'polite' });
  root.append(h('h1', {}, 'Search'), form, out);
  const asked = FIELDS.some((f) => f !== 'limit' && (params.get(f) ?? '') !== '');
  if (!asked) {
    out.append(h('p', { class: 'muted' }, 'Type words, a place, or any filter; the same filters as `physarum search`.'));
    return;
  }
  if ((params.get('query') ?? '').trim() === '') {
    out.append(h('p', { class: 'muted' }, 'Search needs words, as in the CLI; the filters narrow what they find.'));
    return;
  }
  const q = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? undefined]));
  const { results, terms } = await get<{ results: Result[]; terms: string[] }>('/api/search', { ...q, query: q['query'] ?? '' });
  out.append(
    h('p', { class: 'summary' }, `${results.length} result${results.length === 1 ? '' : 's'}${terms.length ? ` for ${terms.join(' ')}` : ''}`),
    h(
      'ol',
      { class: 'results' },
      ...results.map((r) =>
        h(
          'li',
          {},
          h('a', { href: route(`trace/${encodeURIComponent(r.id)}`) }, snippet(r.text, 200)),
          h('div', { class: 'meta' }, `${r.kind} · ${r.places.join(', ') || 'no place'} · ${r.author.name} · score ${r.score.toFixed(3)} (relevance ${r.parts.relevance.toFixed(2)}, strength ${r.parts.strength.toFixed(2)})`),
        ),
      ),
    ),
  );
};
