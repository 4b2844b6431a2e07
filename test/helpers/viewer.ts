// The web viewer end to end: a seeded store, headless Chromium on a fresh profile, and screenshots kept as artifacts.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { initStore, openPhysarum } from '../../src/open.js';
import { ManualClock } from '../../src/clock.js';

export { launchChromium } from '../../scripts/chromium.mjs';

export const XSS = `<img src=x onerror="window.__xss='img'"><script>window.__xss='script'</script><b>bold?</b>`;

export const person = { name: 'ren', role: 'human' as const };
const aria = { name: 'aria-1', role: 'agent' as const, model: 'claude-test' };
const juno = { name: 'juno-2', role: 'agent' as const, model: 'claude-test' };
const mira = { name: 'mira-3', role: 'agent' as const, model: 'claude-test' };
const DAY = 86_400_000;

export interface Seeded {
  decision: string;
  warning: string;
  insight: string;
  xss: string;
  archived: string;
  /** The archive event of `archived`, for reverting. */
  archiveEvent: string;
  proposals: string[];
}

/** Fills a real store with what every page shows: traces, annotations, trails, moves, identity proposals and a board. */
export async function seedStore(store: string, root: string): Promise<Seeded> {
  // The traces' story spans forty days (so strength has a history to plot); the board is live now.
  const clock = new ManualClock(Date.now() - 40 * DAY);
  const day = (n: number) => clock.set(Date.now() - n * DAY);
  const p = await openPhysarum({ store, root, clock });
  try {
    await initStore(p, person);
    const decision = (await p.deposit({ text: "Section 3 relies on the Gibbs definition; don't switch to Shannon mid-essay.", kind: 'decision', places: ['essay/draft.md#Entropy'], tags: ['terminology'] }, person)).trace.id;
    day(38);
    const warning = (await p.deposit({ text: 'The parser drops a leading byte-order mark; keep the fixture with a BOM.', kind: 'warning', places: ['src/parser.ts'], tags: ['parser'] }, aria)).trace.id;
    day(30);
    const insight = (await p.deposit({ text: 'Entropy in the essay means thermodynamic entropy throughout.', kind: 'insight', places: ['topic:entropy'] }, juno)).trace.id;
    await p.deposit({ text: 'The lexer keeps line and column for every token.', places: ['src/lexer.ts'] }, aria);
    day(25);
    await p.follow({ id: decision }, aria);
    day(21);
    const archived = (await p.deposit({ text: 'Old plan: split the essay in two.', kind: 'todo', places: ['essay/plan.md'] }, juno)).trace.id;
    day(20);
    await p.deposit({ text: 'Counting sort is enough for the token kinds.', kind: 'insight', places: ['src/lexer.ts', 'topic:performance'] }, juno);
    day(12);
    await p.archive({ id: archived, reason: 'the essay stays whole' }, juno);
    const archiveEvent = (await p.history({ id: archived, type: 'trace.archive' }))[0]?.id ?? '';
    day(10);
    await p.follow({ id: decision }, juno);
    day(9);
    await p.annotate({ id: decision, stance: 'endorse', text: 'Agreed; the glossary says the same.' }, aria);
    day(5);
    await p.annotate({ id: decision, stance: 'challenge', text: `Shannon entropy appears in section 5 anyway. ${XSS}` }, juno);
    day(3);
    const xss = (await p.deposit({ text: `Payload left by a hostile source: ${XSS}`, places: ['src/evil.ts'] }, aria)).trace.id;
    await p.createTrail({ name: 'start-here', description: 'Read these first', steps: [{ trace: decision }, { place: 'src/parser.ts' }, { trace: insight }] }, person);
    day(2);
    for (const place of ['src/lexer.ts', 'src/parser.ts', 'src/ast.ts', 'src/parser.ts', 'src/lexer.ts', 'src/parser.ts']) {
      clock.advance(10 * 60_000);
      await p.visit({ place }, aria);
    }
    clock.set(Date.now());
    await p.register({ name: 'aria-1', model: 'claude-test' }, aria);
    await p.register({ name: 'juno-2', model: 'claude-test' }, juno);
    await p.register({ name: 'mira-3', model: 'claude-test' }, mira);
    await p.writeHandoff({ summary: 'Glossary checked against sections 1-4; section 5 still uses Shannon.', openThreads: ['section 5 terminology'] }, mira);
    await p.claim({ place: 'src/parser.ts', lease: '30m', note: 'fixing the BOM bug' }, aria);
    await p.checkIn({ done: 'reproduced the BOM bug', next: 'fix it in the parser', places: ['src/parser.ts'] }, aria);
    await p.postMessage({ text: `Taking the lexer next. ${XSS}` }, juno);
    const proposals = [
      (await p.proposeIdentity({ doc: 'who-we-are', text: 'We write an essay on entropy.\nWe keep terms consistent.', reason: 'first draft of who we are' }, aria)).id,
      (await p.proposeIdentity({ doc: 'style', text: `Short sentences. ${XSS}`, reason: 'house style' }, juno)).id,
    ];
    return { decision, warning, insight, xss, archived, archiveEvent, proposals };
  } finally {
    await p.close();
  }
}

const ARTIFACTS = resolve('test-artifacts/viewer');
const DOCS = resolve('docs/viewer');

/**
 * Saves a full-page screenshot under test-artifacts/viewer/; with PHYSARUM_DOCS_SCREENSHOTS=1, also into docs/viewer/
 * when the docs show it (so an ordinary test run leaves the committed pictures alone).
 */
export async function screenshot(page: Page, name: string, options: { docs?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (options.docs && process.env['PHYSARUM_DOCS_SCREENSHOTS'] === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, `${name}.png`));
  }
  return file;
}
