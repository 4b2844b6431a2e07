// Identity: the approved documents, and each pending proposal as a diff with approve and reject (a signed-in person only).
import { get, post, signedInAs, type IdentityVersion } from '../api.js';
import { ago, field, h, replace } from '../dom.js';
import { diffLines } from '../diff.js';
import { onChange, type Page } from '../router.js';

function diffView(before: string, after: string): HTMLElement {
  const mark = { same: ' ', add: '+', remove: '−' } as const;
  return h(
    'div',
    { class: 'diff', role: 'table', 'aria-label': 'Changes against the approved version' },
    ...diffLines(before, after).map((l) => h('div', { class: `d-${l.op}`, role: 'row' }, h('span', { class: 'mark', 'aria-hidden': 'true' }, mark[l.op]), h('span', { class: 'sr' }, l.op === 'same' ? '' : l.op === 'add' ? 'added: ' : 'removed: '), l.text)),
  );
}

function decide(p: IdentityVersion, done: () => void): HTMLElement {
  if (!signedInAs()) return h('p', { class: 'muted' }, 'Sign in with the key printed by physarum serve to approve or reject.');
  const note = h('input', { type: 'text', name: 'note' });
  const problem = h('span', { class: 'error', role: 'alert' });
  const act = (verb: 'approve' | 'reject') => () => {
    post(`/api/identity/${encodeURIComponent(p.id)}/${verb}`, note.value.trim() ? { note: note.value.trim() } : {})
      .then(done)
      .catch((e: unknown) => (problem.textContent = e instanceof Error ? e.message : String(e)));
  };
  return h(
    'div',
    { class: 'decide' },
    field(`Note on the decision for ${p.doc}`, note),
    h('button', { type: 'button', class: 'approve', onclick: act('approve') }, `Approve ${p.doc}`),
    h('button', { type: 'button', class: 'reject', onclick: act('reject') }, `Reject ${p.doc}`),
    problem,
  );
}

export const identityPage: Page = async (root) => {
  const render = async () => {
    const { current, pending } = await get<{ current: IdentityVersion[]; pending: IdentityVersion[] }>('/api/identity');
    replace(root,
      h('h1', {}, 'Identity'),
      h('h2', {}, `Pending proposals (${pending.length})`),
      pending.length === 0 ? h('p', { class: 'muted' }, 'No proposals waiting.') : null,
      ...pending.map((p) => {
        const base = current.find((c) => c.doc === p.doc);
        return h(
          'article',
          { class: 'proposal', 'data-proposal': p.id },
          h('h3', {}, `${p.doc}: proposal ${p.id}`),
          h('p', { class: 'meta' }, `by ${p.proposedBy.name} (${p.proposedBy.role}) ${ago(p.proposedAt)}, against v${p.baseVersion}${base && base.version !== p.baseVersion ? ` — v${base.version ?? '?'} has been approved since` : ''}`),
          h('p', {}, 'Reason: ', h('q', {}, p.reason)),
          diffView(base?.text ?? '', p.text),
          decide(p, () => void render()),
        );
      }),
      h('h2', {}, 'Approved documents'),
      current.length === 0 ? h('p', { class: 'muted' }, 'No approved documents yet.') : null,
      ...current.map((c) => h('article', { class: 'doc' }, h('h3', {}, `${c.doc} v${c.version ?? '?'}`), h('p', { class: 'meta' }, `approved by ${c.decidedBy?.name ?? '?'}${c.decidedAt ? ` ${ago(c.decidedAt)}` : ''}`), h('div', { class: 'doc-text' }, c.text))),
    );
  };
  await render();
  return onChange((e) => {
    if (e.type.startsWith('identity.')) void render();
  });
};
