// The viewer's entry point: the header (navigation, sign-in, live status) and the page for the current route.
import { loadSession, onSessionChange, signIn, signOut, signedInAs } from './api.js';
import { h } from './dom.js';
import { errorBox, parseHash, startLive, type Page } from './router.js';
import { mapPage } from './pages/map.js';
import { timelinePage } from './pages/timeline.js';
import { tracePage } from './pages/trace.js';
import { searchPage } from './pages/search.js';
import { boardPage } from './pages/board.js';
import { identityPage } from './pages/identity.js';

const PAGES: Record<string, { title: string; page: Page; nav?: boolean }> = {
  map: { title: 'Trail map', page: mapPage, nav: true },
  timeline: { title: 'Timeline', page: timelinePage, nav: true },
  search: { title: 'Search', page: searchPage, nav: true },
  board: { title: 'Board', page: boardPage, nav: true },
  identity: { title: 'Identity', page: identityPage, nav: true },
  trace: { title: 'Trace', page: tracePage },
};

const nav = h('nav', { 'aria-label': 'Pages' });
const account = h('div', { class: 'account' });
const live = h('span', { class: 'live off', role: 'status' }, 'connecting');
const main = h('main', { id: 'page', tabindex: '-1' });
let leave: (() => void) | void;
let generation = 0;

function renderAccount(): void {
  const who = signedInAs();
  if (who) {
    account.replaceChildren(h('span', {}, `Signed in as ${who.name}`), h('button', { type: 'button', onclick: () => void signOut() }, 'Sign out'));
    return;
  }
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'off', id: 'sign-in-key', placeholder: 'printed by physarum serve' });
  const problem = h('span', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'sign-in', onsubmit: (e: Event) => {
      e.preventDefault();
      signIn(key.value.trim()).catch((err: unknown) => (problem.textContent = err instanceof Error ? err.message : String(err)));
    } },
    h('label', { for: 'sign-in-key' }, 'Sign-in key'),
    key,
    h('button', { type: 'submit' }, 'Sign in'),
    problem,
  );
  account.replaceChildren(form);
}

async function show(): Promise<void> {
  const r = parseHash(location.hash);
  const entry = PAGES[r.name] ?? PAGES['map'];
  if (!entry) return;
  const mine = ++generation;
  if (typeof leave === 'function') leave();
  leave = undefined;
  for (const a of nav.querySelectorAll('a')) a.toggleAttribute('aria-current', a.dataset['page'] === r.name);
  document.title = `${entry.title} · Physarum`;
  main.replaceChildren();
  main.className = `page-${r.name}`;
  try {
    const done = await entry.page(main, r.params, r.arg);
    if (mine === generation) leave = done;
    else if (typeof done === 'function') done();
  } catch (e) {
    if (mine === generation) main.append(errorBox(e));
  }
}

async function start(): Promise<void> {
  for (const [name, p] of Object.entries(PAGES)) if (p.nav) nav.append(h('a', { href: `#/${name}`, 'data-page': name }, p.title));
  document.body.append(h('header', {}, h('a', { class: 'brand', href: '#/map' }, 'Physarum'), nav, live, account), main);
  // Security: a key in the fragment (never sent to the server or logged) is exchanged for a session, then dropped.
  const key = /^#key=([\w-]+)$/u.exec(location.hash)?.[1];
  if (key) {
    history.replaceState(null, '', '#/map');
    await signIn(key).catch(() => undefined);
  }
  await loadSession().catch(() => undefined);
  renderAccount();
  onSessionChange(() => {
    renderAccount();
    void show();
  });
  startLive(live);
  window.addEventListener('hashchange', () => void show());
  await show();
}

void start();
