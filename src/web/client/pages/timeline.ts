// The timeline: the change log newest first, filtered by instance, kind of event and time; new events arrive live.
import { get, post, signedInAs, type LogEvent } from '../api.js';
import { ago, append, field, h, replace, route, select, shortTime } from '../dom.js';
import { errorBox, onChange, type Page } from '../router.js';

export const EVENT_TYPES = [
  'trace.deposit', 'trace.follow', 'trace.annotate', 'trace.retag', 'trace.archive', 'trace.restore', 'trace.forget', 'trace.revise',
  'trail.create', 'identity.propose', 'identity.approve', 'identity.reject', 'event.revert', 'instance.register', 'instance.end',
  'claim.acquire', 'claim.renew', 'claim.release', 'message.post', 'handoff.write', 'store.init', 'store.configure',
];
/** The kinds of event a person can revert (the core says why others cannot). */
const REVERTIBLE = new Set(['trace.deposit', 'trace.archive', 'trace.restore', 'trace.retag']);
const PAGE = 50;

function subject(e: LogEvent): HTMLElement | string {
  if (e.traceId) return h('a', { href: route(`trace/${encodeURIComponent(e.traceId)}`) }, e.traceId);
  if (e.type.startsWith('identity.')) return h('a', { href: route('identity') }, `${String(e.data['doc'] ?? '')} ${e.subject ?? ''}`);
  return e.subject ?? '';
}

function revertControl(e: LogEvent, done: () => void): HTMLElement | null {
  if (!REVERTIBLE.has(e.type) || !signedInAs()) return null;
  const box = h('div', { class: 'revert' });
  const open = h('button', { type: 'button', 'aria-label': `Revert ${e.type} ${e.id}`, onclick: () => ask() }, 'Revert');
  box.append(open);
  const ask = () => {
    const reason = h('input', { type: 'text', name: 'reason', required: true });
    const problem = h('span', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { class: 'inline', onsubmit: (ev: Event) => {
        ev.preventDefault();
        post(`/api/events/${encodeURIComponent(e.id)}/revert`, { reason: reason.value })
          .then(() => {
            box.replaceChildren(h('span', { class: 'ok' }, 'Reverted'));
            done();
          })
          .catch((err: unknown) => (problem.textContent = err instanceof Error ? err.message : String(err)));
      } },
      field('Reason for reverting', reason),
      h('button', { type: 'submit' }, 'Confirm revert'),
      h('button', { type: 'button', onclick: () => box.replaceChildren(open) }, 'Cancel'),
      problem,
    );
    box.replaceChildren(form);
    reason.focus();
  };
  return box;
}

export function eventRow(e: LogEvent, refresh: () => void, fresh = false): HTMLElement {
  return h(
    'li',
    { class: `event${fresh ? ' new' : ''}`, 'data-event': e.id, 'data-type': e.type },
    h('time', { datetime: e.at, title: shortTime(e.at) }, ago(e.at)),
    h('span', { class: `type t-${e.type.split('.')[0] ?? ''}` }, e.type),
    h('span', { class: 'actor' }, `${e.actor.name}${e.actor.role === 'human' ? ' (person)' : e.actor.model ? ` (${e.actor.model})` : ''}`),
    h('span', { class: 'subject' }, subject(e)),
    e.reason ? h('q', { class: 'reason' }, e.reason) : null,
    revertControl(e, refresh),
  );
}

export const timelinePage: Page = async (root, params) => {
  const actor = h('input', { type: 'text', name: 'actor', value: params.get('actor') ?? '', placeholder: 'aria-1' });
  const type = select('type', ['', ...EVENT_TYPES], params.get('type') ?? '');
  const since = h('input', { type: 'text', name: 'since', value: params.get('since') ?? '', placeholder: '7d or 2026-01-31' });
  const form = h(
    'form',
    { class: 'toolbar', role: 'search', onsubmit: (e: Event) => {
      e.preventDefault();
      location.hash = route('timeline', { actor: actor.value.trim(), type: type.value, since: since.value.trim() });
    } },
    field('Instance or person', actor),
    field('Kind of event', type),
    field('Since', since),
    h('button', { type: 'submit' }, 'Filter'),
  );
  const list = h('ol', { class: 'events', 'aria-label': 'Events, newest first' });
  const more = h('button', { type: 'button', hidden: true }, 'Older events');
  const problem = h('div');
  append(root, h('h1', {}, 'Timeline'), form, signedInAs() ? null : h('p', { class: 'muted' }, 'Sign in to revert events.'), problem, list, more);

  const filters = { actor: params.get('actor') ?? undefined, type: params.get('type') ?? undefined, since: params.get('since') ?? undefined };
  const load = async (before?: number) => {
    try {
      const { events } = await get<{ events: LogEvent[] }>('/api/history', { ...filters, limit: String(PAGE), ...(before ? { before: String(before) } : {}) });
      if (!before) replace(list, );
      for (const e of events) list.append(eventRow(e, () => undefined));
      more.hidden = events.length < PAGE;
      const last = events.at(-1);
      more.onclick = () => void load(last?.seq);
      if (!before && events.length === 0) list.append(h('li', { class: 'muted' }, 'No events match.'));
    } catch (e) {
      problem.replaceChildren(errorBox(e));
    }
  };
  await load();
  const sinceMs = filters.since ? Date.parse(filters.since) : NaN;
  return onChange((e) => {
    if (filters.actor && e.actor.name !== filters.actor) return;
    if (filters.type && e.type !== filters.type) return;
    if (!Number.isNaN(sinceMs) && Date.parse(e.at) < sinceMs) return;
    list.querySelector('li.muted')?.remove();
    list.prepend(eventRow(e, () => undefined, true));
  });
};
