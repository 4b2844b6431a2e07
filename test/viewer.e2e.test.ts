// The web viewer end to end: `physarum serve` on a seeded store, driven by headless Chromium; MCP deposits arrive live.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, snapshotBin } from './helpers/processes.js';
import { httpRequest, jsonBody, startServe, type ServeProcess } from './helpers/http.js';
import { structured } from './helpers/tool-results.js';
import { XSS, launchChromium, screenshot, seedStore, type Seeded } from './helpers/viewer.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-viewer-'));
const store = join(dir, 'physarum.db');
const root = join(dir, 'project');
const WAIT = { timeout: 30_000 };

let server: ServeProcess;
let key = '';
let seeded: Seeded;
let browser: { context: BrowserContext; close(): Promise<void> };
const pageErrors: string[] = [];

async function open(hash: string, options: { signedOut?: boolean } = {}): Promise<Page> {
  if (options.signedOut) await browser.context.clearCookies();
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}/${hash}`);
  return page;
}

async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Sign-in key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as ren').waitFor(WAIT);
}

// Page functions run in the browser; these casts describe what they read there (the test build has no DOM types).
type BrowserGlobal = {
  document: { activeElement: { textContent: string | null } | null };
  physarumMap: { locate(key: string): { x: number; y: number } };
  __xss?: string;
};
const focused = (page: Page) => page.evaluate(() => (globalThis as unknown as BrowserGlobal).document.activeElement?.textContent);

async function api<T>(path: string): Promise<T> {
  return jsonBody<T>(await httpRequest({ port: server.port, path }));
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  seeded = await seedStore(store, root);
  const bin = snapshotBin(join(dir, 'build'));
  server = await startServe(['--port', '0'], { env: childEnv({ PHYSARUM_STORE: store, PHYSARUM_ROOT: root }), cwd: root, bin });
  key = /Viewer sign-in key:\s+(\S+)/u.exec(server.stderr())?.[1] ?? '';
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the viewer', () => {
  it('prints a sign-in key and a viewer address at start', () => {
    expect(key).toMatch(/^[\w-]{20,}$/u);
    expect(server.stderr()).toContain(`Viewer:                ${server.url}/`);
  });

  it('draws the trail map and shows a place\'s strongest traces on hover and on click', async () => {
    const page = await open('#/map');
    await page.locator('canvas[data-rendered]').waitFor(WAIT);
    await expect.poll(() => page.locator('.summary').textContent(), WAIT).toBe('7 places in 4 groups · 4 emergent and 2 authored trail edges');
    const at = await page.evaluate(() => (globalThis as unknown as BrowserGlobal).physarumMap.locate('src/parser.ts'));
    await page.mouse.move(at.x, at.y);
    await page.locator('.tip').getByText('The parser drops a leading byte-order mark', { exact: false }).waitFor(WAIT);
    await screenshot(page, 'map', { docs: true });
    await page.mouse.click(at.x, at.y);
    await page.locator('.panel h2', { hasText: 'src/parser.ts' }).waitFor(WAIT);
    await page.locator('.panel').getByRole('link', { name: /The parser drops/u }).waitFor(WAIT);
    expect(await page.locator('.panel').textContent()).toContain('src/ast.ts');
    await page.getByLabel('Filter places').fill('topic:');
    await expect.poll(async () => (await page.locator('.place-list button').allTextContents()).sort(), WAIT).toEqual(['topic:entropy', 'topic:performance']);
    await page.close();
  });

  it('lists the change log newest first and filters it by instance, kind and time', async () => {
    const page = await open('#/timeline');
    const rows = page.locator('li.event');
    await rows.first().waitFor(WAIT);
    const seqs = await api<{ events: Array<{ id: string }> }>('/api/history?limit=5');
    expect(await rows.first().getAttribute('data-event')).toBe(seqs.events[0]?.id);
    await screenshot(page, 'timeline', { docs: true });
    await page.getByLabel('Instance or person').fill('juno-2');
    await page.getByLabel('Kind of event').selectOption('trace.deposit');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('li.event').count(), WAIT).toBe(3);
    expect(new Set(await page.locator('li.event .actor').allTextContents())).toEqual(new Set(['juno-2 (claude-test)']));
    await page.getByLabel('Since').fill('25d');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('li.event').count(), WAIT).toBe(2);
    await page.getByLabel('Since').fill('1d');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No events match.').waitFor(WAIT);
    await page.close();
  });

  it('lets a signed-in person revert an event, and logs the revert', async () => {
    const page = await open('#/timeline?type=trace.archive', { signedOut: true });
    const row = page.locator(`li.event[data-event="${seeded.archiveEvent}"]`);
    await row.waitFor(WAIT);
    expect(await row.getByRole('button', { name: /Revert/u }).count()).toBe(0);
    await signIn(page);
    await row.getByRole('button', { name: /^Revert/u }).click();
    await row.getByLabel('Reason for reverting').fill('the split is back on');
    await row.getByRole('button', { name: 'Confirm revert' }).click();
    await row.getByText('Reverted').waitFor(WAIT);
    const { trace } = await api<{ trace: { status: string } }>(`/api/traces/${seeded.archived}`);
    expect(trace.status).toBe('live');
    const { events } = await api<{ events: Array<{ type: string; subject: string; reason: string; actor: { name: string; role: string } }> }>(`/api/history?id=${seeded.archived}&limit=1`);
    expect(events[0]).toMatchObject({ type: 'event.revert', subject: seeded.archiveEvent, reason: 'the split is back on', actor: { name: 'ren', role: 'human' } });
    await page.close();
  });

  it('shows a trace with its provenance, annotations, history and strength over time', async () => {
    const page = await open(`#/trace/${seeded.decision}`);
    await page.getByTestId('trace-text').waitFor(WAIT);
    expect(await page.getByTestId('trace-text').textContent()).toBe("Section 3 relies on the Gibbs definition; don't switch to Shannon mid-essay.");
    const provenance = await page.locator('dl.provenance').textContent();
    expect(provenance).toContain('ren (human)');
    expect(provenance).toContain('follows2');
    expect(await page.locator('.annotations li').count()).toBe(2);
    expect(await page.locator('.annotations').textContent()).toContain('Agreed; the glossary says the same.');
    expect(await page.locator('li.event .type').allTextContents()).toEqual(expect.arrayContaining(['trace.deposit', 'trace.follow', 'trace.annotate']));
    const points = (await page.locator('svg.plot polyline').getAttribute('points'))?.split(' ') ?? [];
    expect(points.length).toBeGreaterThan(10);
    await screenshot(page, 'trace', { docs: true });
    await page.close();
  });

  it('searches with the CLI\'s filters', async () => {
    const page = await open('#/search');
    await page.getByLabel('Search text').fill('gibbs entropy');
    await page.getByLabel('Kind').selectOption('decision');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('ol.results li').first().waitFor(WAIT);
    expect(await page.locator('ol.results li').count()).toBe(1);
    expect(await page.locator('ol.results li a').textContent()).toContain('Gibbs definition');
    await screenshot(page, 'search', { docs: true });
    await page.getByLabel('Kind').selectOption('warning');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('0 results').waitFor(WAIT);
    await page.getByLabel('Kind').selectOption('');
    await page.getByLabel('Search text').fill('parser lexer token');
    await page.getByLabel('Place', { exact: true }).fill('src/');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText(/^4 results/u).waitFor(WAIT);
    await page.getByLabel('Place', { exact: true }).fill('topic:performance');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText(/^1 result for/u).waitFor(WAIT);
    expect(await page.locator('ol.results li a').textContent()).toBe('Counting sort is enough for the token kinds.');
    await page.close();
  });

  it('shows the board: instances, claims with their lease time left, messages', async () => {
    const page = await open('#/board');
    await page.getByRole('heading', { name: 'Claims' }).waitFor(WAIT);
    const claims = page.locator('section', { has: page.getByRole('heading', { name: 'Claims' }) });
    expect(await claims.locator('tbody tr').count()).toBe(1);
    expect(await claims.locator('tbody').textContent()).toMatch(/^src\/parser\.tsaria-1[12]?\d min \d\d s leftfixing the BOM bug$/u);
    // The lease counts down in place.
    const lease = claims.locator('.lease');
    const before = await lease.textContent();
    await expect.poll(() => lease.textContent(), WAIT).not.toBe(before);
    const instances = page.locator('section', { has: page.getByRole('heading', { name: 'Instances' }) });
    expect((await instances.locator('tbody td:first-child').allTextContents()).sort()).toEqual(['aria-1', 'juno-2']);
    expect(await instances.locator('tbody').textContent()).toContain('reproduced the BOM bug');
    expect(await page.locator('section', { has: page.getByRole('heading', { name: 'Handoffs' }) }).textContent()).toContain('section 5 still uses Shannon');
    expect(await page.locator('section', { has: page.getByRole('heading', { name: 'Messages' }) }).textContent()).toContain('Taking the lexer next.');
    await screenshot(page, 'board', { docs: true });
    await page.close();
  });

  it('shows identity proposals as a diff, and only a signed-in person can approve or reject', async () => {
    const page = await open('#/identity', { signedOut: true });
    const first = page.locator(`article[data-proposal="${seeded.proposals[0]}"]`);
    await first.waitFor(WAIT);
    expect(await first.locator('.d-add').allTextContents()).toEqual(['+added: We write an essay on entropy.', '+added: We keep terms consistent.']);
    expect(await page.getByRole('button', { name: /Approve/u }).count()).toBe(0);
    await signIn(page);
    await first.getByRole('button', { name: 'Approve who-we-are' }).waitFor(WAIT);
    await screenshot(page, 'identity', { docs: true });
    await first.getByLabel(/Note on the decision/u).fill('reads well');
    await first.getByRole('button', { name: 'Approve who-we-are' }).click();
    await page.locator('article.doc h3', { hasText: 'who-we-are v1' }).waitFor(WAIT);
    await page.locator(`article[data-proposal="${seeded.proposals[1]}"]`).getByRole('button', { name: 'Reject style' }).click();
    await page.getByText('Pending proposals (0)').waitFor(WAIT);
    const { events } = await api<{ events: Array<{ type: string; subject: string; actor: { name: string; role: string } }> }>('/api/history?type=identity.approve&type=identity.reject&limit=2');
    expect(events.map((e) => [e.type, e.subject, e.actor.role])).toEqual([
      ['identity.reject', seeded.proposals[1], 'human'],
      ['identity.approve', seeded.proposals[0], 'human'],
    ]);
    await page.close();
  });

  it('shows a trace deposited through MCP without a reload', async () => {
    const page = await open('#/timeline');
    await page.locator('li.event').first().waitFor(WAIT);
    await page.locator('.live.on').waitFor(WAIT);
    const client = new Client({ name: 'viewer-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    const r = await client.callTool({ name: 'deposit_trace', arguments: { text: 'Deposited over MCP while the timeline was open.', places: ['src/live.ts'] } });
    const id = structured<{ id: string }>(r as CallToolResult).id;
    await client.close();
    const row = page.locator('li.event.new', { hasText: id });
    await row.waitFor(WAIT);
    expect(await row.locator('.type').textContent()).toBe('trace.deposit');
    await row.getByRole('link', { name: id }).click();
    await page.getByText('Deposited over MCP while the timeline was open.').waitFor(WAIT);
    await page.close();
  });

  it('renders stored HTML as inert text everywhere', async () => {
    for (const hash of [`#/trace/${seeded.xss}`, `#/trace/${seeded.decision}`, '#/board', '#/identity', '#/search?query=payload', '#/timeline']) {
      const page = await open(hash);
      await page.locator('main h1').waitFor(WAIT);
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobal).__xss), hash).toBeUndefined();
      expect(await page.locator('main img, main script, main b').count(), hash).toBe(0);
      await page.close();
    }
    const page = await open(`#/trace/${seeded.xss}`);
    await page.getByTestId('trace-text').waitFor(WAIT);
    expect(await page.getByTestId('trace-text').textContent()).toBe(`Payload left by a hostile source: ${XSS}`);
    await screenshot(page, 'xss');
    await page.close();
  });

  it('can be used with the keyboard, and its main controls have labels', async () => {
    const page = await open('#/map', { signedOut: true });
    await page.locator('canvas[data-rendered]').waitFor(WAIT);
    for (const label of ['Filter places', 'Hide emergent trails weaker than', 'Sign-in key']) expect(await page.getByLabel(label).count(), label).toBe(1);
    for (const name of ['Zoom in', 'Zoom out', 'Fit']) expect(await page.getByRole('button', { name }).count(), name).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual(['Trail map', 'Timeline', 'Search', 'Board', 'Identity']);
    // Tab from the top reaches the navigation; Enter follows a link.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Timeline');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Timeline' }).waitFor(WAIT);
    await page.goto(`${server.url}/#/map`);
    await page.locator('canvas[data-rendered]').waitFor(WAIT);
    await page.getByLabel('Filter places').focus();
    await page.keyboard.type('parser');
    await page.keyboard.press('Tab');
    for (let i = 0; i < 12 && (await focused(page)) !== 'src/parser.ts'; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('.panel h2', { hasText: 'src/parser.ts' }).waitFor(WAIT);
    await page.close();
  });

  it('signs in from the printed address with the key in its fragment, and drops the key from the address', async () => {
    const page = await open(`#key=${key}`, { signedOut: true });
    await page.getByText('Signed in as ren').waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe('#/map');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Sign-in key').waitFor(WAIT);
    const { person } = await page.evaluate(() => fetch('/api/session').then((r) => r.json() as Promise<{ person: unknown }>));
    expect(person).toBeNull();
    await page.close();
  });

  it('raised no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
