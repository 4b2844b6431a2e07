// Benchmark: time to first render of the viewer's trail map in headless Chromium, on a store of 2,000 places and
// 10,000 traces with emergent and authored trails. Usage: npm run bench:viewer [-- --runs 7 --places 2000 --traces 10000 --json]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initStore, openPhysarum } from '../dist/index.js';
import { serve } from '../dist/http/server.js';
import { launchChromium } from '../scripts/chromium.mjs';
import { machine, machineLines, parseArgs, percentile, PROJECT_ROOT } from './lib/common.mjs';
import { prng } from './lib/synth.mjs';

const opts = parseArgs(process.argv.slice(2), { runs: 'string', places: 'string', traces: 'string', json: 'bool' });
const RUNS = Number(opts.runs ?? 7);
const PLACES = Number(opts.places ?? 2000);
const TRACES = Number(opts.traces ?? 10000);
const log = (s) => process.stderr.write(`${s}\n`);

const rand = prng(2000);
/** Skewed pick: a few places get most of the traces, as in real projects. */
const skewed = (n) => Math.floor(n * rand() ** 2.2);

// 80% files in 40 folders, 15% topics under 12 roots, 5% URLs on 10 hosts.
const places = [];
const seen = { file: 0, topic: 0, url: 0 };
for (let i = 0; places.length < PLACES; i++) {
  const r = i % 20;
  if (r < 16) places.push(`src/pkg${seen.file % 40}/module-${seen.file++}.ts`);
  else if (r < 19) places.push(`topic:area${seen.topic % 12}/subject-${seen.topic++}`);
  else places.push(`https://docs${seen.url % 10}.example.com/page/${seen.url++}`);
}

const dir = mkdtempSync(join(tmpdir(), 'physarum-viewer-bench-'));
const store = join(dir, 'physarum.db');
const p = await openPhysarum({ store, root: dir, durability: 'normal' });
const person = { name: 'bench', role: 'human' };
const agents = Array.from({ length: 8 }, (_, i) => ({ name: `agent-${i}`, role: 'agent', model: 'bench' }));
const KINDS = ['note', 'insight', 'question', 'decision', 'warning', 'todo'];
let t0 = performance.now();
await initStore(p, person);
// Every place gets at least one trace; the rest fall on the skewed distribution.
for (let i = 0; i < TRACES; i++) {
  const first = i < places.length ? places[i] : places[skewed(places.length)];
  const at = [first, ...(rand() < 0.2 ? [places[skewed(places.length)]] : [])];
  await p.deposit({ text: `Remark ${i}: ${KINDS[i % 6]} about ${first} and how it relates to step ${i % 97}.`, kind: KINDS[i % 6], places: [...new Set(at)] }, agents[i % 8]);
}
for (let i = 0; i < 2000; i++) await p.follow({ id: (await p.search({ query: `Remark ${skewed(TRACES)}`, limit: 1 })).results[0]?.trace.id ?? '' }, agents[i % 8]).catch(() => undefined);
const seedTraces = performance.now() - t0;
t0 = performance.now();
// Emergent trails: each agent mostly walks within one folder (topic, host), sometimes jumps elsewhere.
const groupOf = (place) => place.replace(/\/[^/]*$/u, '');
const members = new Map();
for (const place of places) members.set(groupOf(place), [...(members.get(groupOf(place)) ?? []), place]);
const at = agents.map(() => places[skewed(places.length)]);
for (let i = 0; i < 6000; i++) {
  const k = i % 8;
  const here = members.get(groupOf(at[k])) ?? places;
  at[k] = rand() < 0.85 ? here[skewed(here.length)] : places[skewed(places.length)];
  await p.visit({ place: at[k] }, agents[k]);
}
for (let t = 0; t < 20; t++) {
  await p.createTrail({ name: `tour-${t}`, steps: Array.from({ length: 8 }, () => ({ place: places[skewed(places.length)] })) }, person);
}
const seedTrails = performance.now() - t0;
const info = await p.info();

const server = await serve({ physarum: p, port: 0, version: 'bench', log: () => undefined });
const mapBytes = (await (await fetch(`${server.url}/api/map`)).arrayBuffer()).byteLength;
const browser = await launchChromium({ viewport: { width: 1400, height: 900 } });
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/#/map`);
    await page.locator('canvas[data-rendered]').waitFor({ timeout: 120_000 });
    runs.push(
      await page.evaluate(() => {
        const mark = performance.getEntriesByName('physarum:map-rendered')[0];
        const api = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/map'));
        const summary = document.querySelector('.summary')?.textContent ?? '';
        return { firstRenderMs: mark?.startTime ?? NaN, apiMs: api ? api.responseEnd - api.startTime : NaN, summary };
      }),
    );
    if (i === RUNS - 1) {
      mkdirSync(join(PROJECT_ROOT, 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(PROJECT_ROOT, 'test-artifacts', 'bench-map.png') });
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
  await p.close();
  rmSync(dir, { recursive: true, force: true });
}

const first = runs.map((r) => r.firstRenderMs);
const api = runs.map((r) => r.apiMs);
const result = {
  machine: machine(),
  store: { places: PLACES, traces: info.traces, events: info.events, mapJsonBytes: mapBytes, summary: runs[0]?.summary },
  seedSeconds: { traces: seedTraces / 1000, trails: seedTrails / 1000 },
  firstRenderMs: { cold: first[0], p50: percentile(first, 50), max: Math.max(...first), runs: first },
  apiMapMs: { p50: percentile(api, 50), max: Math.max(...api) },
  targetMs: 2000,
};
if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else {
  const f = (n) => `${Math.round(n)} ms`;
  console.log(
    [
      ...machineLines(result.machine),
      `store: ${PLACES} places, ${info.traces} traces, ${info.events} events; map shows: ${result.store.summary}`,
      `GET /api/map: ${(mapBytes / 1024).toFixed(0)} KiB, p50 ${f(result.apiMapMs.p50)}, max ${f(result.apiMapMs.max)}`,
      `trail map, navigation start to first render (${RUNS} page loads): first ${f(result.firstRenderMs.cold)}, p50 ${f(result.firstRenderMs.p50)}, max ${f(result.firstRenderMs.max)}`,
      `target: under ${result.targetMs} ms — ${result.firstRenderMs.p50 < result.targetMs ? 'met' : 'NOT met'} (p50)`,
    ].join('\n'),
  );
}
