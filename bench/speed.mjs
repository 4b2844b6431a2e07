// Speed benchmark: in-process deposit, search and briefing latency at 10k / 100k / 1M traces; the disk's own
// synced-write time; writes, searches and briefings over MCP stdio against Physarum (durability full and normal)
// and @modelcontextprotocol/server-memory; write loss under 8 concurrent clients.
//
//   npm run bench:speed -- [--json] [--sizes 10000,100000,1000000] [--quick] [--mcp-items 1000,10000]
//                          [--mcp-rounds 3] [--concurrent-items 200] [--skip-mcp] [--skip-concurrency] [--keep]
//                          [--proposed]
//   node bench/speed.mjs --from saved.json      (print the report of a run saved with --json)
//
// Each in-process size runs in its own child process, so its RSS is its own. Targets are printed beside the
// figures; nothing is asserted (the exit code is 0 whatever the figures).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fdatasyncSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT, fmt, fmtBytes, fmtMs, machine, machineLines, parseArgs, summarize, table } from './lib/common.mjs';
import { makePlaces, traceGenerator } from './lib/synth.mjs';
import { profileSearch } from './lib/profile.mjs';
import { speedTargets } from './lib/speed-targets.mjs';

const SELF = fileURLToPath(import.meta.url);
const MB = 2 ** 20;

const OPTIONS = {
  json: 'bool',
  sizes: 'string',
  quick: 'bool',
  'mcp-items': 'string',
  // MCP runs of every server, taken in turn; each server's figures are its middle round's (default 3, 1 with --quick)
  'mcp-rounds': 'string',
  'concurrent-items': 'string',
  'skip-mcp': 'bool',
  'skip-concurrency': 'bool',
  'skip-inprocess': 'bool',
  keep: 'bool',
  // also measure search and briefings with a copy of dist/ carrying the proposed fixes (lib/proposed.mjs)
  proposed: 'bool',
  // print the report of a run saved with --json (no measuring)
  from: 'string',
  // internal: run one in-process size in this (child) process and print its figures as JSON
  worker: 'string',
};

function storeBytes(path) {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(`${path}${suffix}`).size;
    } catch {
      // absent
    }
  }
  return total;
}

const progress = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------
// In-process: one size, in a child process
// ---------------------------------------------------------------------------------------------

async function inProcess(size, { keep, proposed }) {
  const { openPhysarum } = await import('../dist/index.js');
  const dir = mkdtempSync(join(tmpdir(), `physarum-speed-${size}-`));
  const store = join(dir, 'physarum.db');
  const places = makePlaces();
  const gen = traceGenerator({ seed: 42, places, count: size });
  const out = { size, store: keep ? store : undefined };
  try {
    // Bulk load through the public deposit API, one deposit per call; durability 'normal' (no fsync per
    // commit), the documented option for imports. Measured deposits below use the default ('full').
    let p = await openPhysarum({ store, root: dir, durability: 'normal' });
    const sampleIds = [];
    const t0 = performance.now();
    let lastReport = t0;
    for (let i = 0; i < size; i++) {
      const { input, actor } = gen.next();
      const r = await p.deposit(input, actor);
      if (i % 97 === 0) sampleIds.push(r.trace.id);
      if (performance.now() - lastReport > 15_000) {
        lastReport = performance.now();
        progress(`  [${size}] loaded ${i + 1} traces (${fmt((i + 1) / ((lastReport - t0) / 1000), 0)}/s)`);
      }
    }
    const loadMs = performance.now() - t0;
    // Some traces get used: follows make strengths (and so briefings) uneven, as in a real store.
    const follower = { name: 'agent-follow', role: 'agent' };
    for (let i = 0; i < Math.min(2_000, sampleIds.length); i += 2) await p.follow({ id: sampleIds[i] }, follower);
    await p.close();
    out.load = { ms: loadMs, perSecond: (size / loadMs) * 1000 };

    // Reopen as an application would (default durability 'full').
    const tOpen = performance.now();
    p = await openPhysarum({ store, root: dir });
    out.openMs = performance.now() - tOpen;

    // n samples, or fewer (at least 30) when they would take longer than the budget: slow operations at
    // large sizes keep the whole run within reach.
    const time = async (n, fn, budgetMs = 45_000) => {
      const ms = [];
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await fn(i);
        ms.push(performance.now() - t);
        if (ms.length >= 30 && performance.now() - start > budgetMs) break;
      }
      return summarize(ms);
    };
    const actor = { name: 'agent-bench', role: 'agent', model: 'claude-opus-4' };
    const newDeposit = () => {
      const { input } = gen.next();
      return p.deposit(input, actor);
    };
    await time(20, newDeposit); // warm-up
    out.depositFull = await time(500, newDeposit);
    await p.close();
    p = await openPhysarum({ store, root: dir, durability: 'normal' });
    await time(20, newDeposit);
    out.depositNormal = await time(500, newDeposit);

    const qgen = traceGenerator({ seed: 7, places });
    const queries = Array.from({ length: 320 }, () => qgen.query());
    let hits = 0;
    const search = async (i) => {
      const r = await p.search({ query: queries[i % queries.length], limit: 10 });
      hits += r.results.length;
    };
    await time(20, search, 5_000);
    hits = 0;
    const tSearch = performance.now();
    out.search = await time(300, search);
    out.search.perSecond = (out.search.n / (performance.now() - tSearch)) * 1000;
    out.search.meanResults = hits / out.search.n;

    progress(`  [${size}] search p50 ${fmtMs(out.search.p50)} ms; briefings…`);
    out.briefStandard = await time(50, () => p.brief({ weight: 'standard' }));
    out.briefFocus = await time(50, (i) => p.brief({ weight: 'standard', focus: queries[i] }));
    out.briefPlace = await time(50, () => p.brief({ weight: 'standard', place: qgen.place() }));
    out.sense = await time(100, () => p.sense({ place: qgen.place(), parents: true }));

    const info = await p.info();
    out.traces = info.traces;
    await p.close();
    out.rssBytes = process.memoryUsage().rss;
    out.heapBytes = process.memoryUsage().heapUsed;
    out.storeBytes = storeBytes(store);
    progress(`  [${size}] profiling the search SQL…`);
    out.profile = await profileSearch(store, queries.slice(0, 60));
    if (proposed) {
      // The same store, the same queries, through a copy of the library with the proposed fixes.
      const { proposedDist } = await import('./lib/proposed.mjs');
      const fixed = proposedDist();
      try {
        const lib = await import(fixed.index);
        p = await lib.openPhysarum({ store, root: dir });
        progress(`  [${size}] proposed fixes: searches and briefings…`);
        await time(20, search, 5_000);
        const t = performance.now();
        const s = await time(300, search);
        s.perSecond = (s.n / (performance.now() - t)) * 1000;
        out.proposed = {
          patches: fixed.applied,
          search: s,
          briefStandard: await time(50, () => p.brief({ weight: 'standard' })),
          briefFocus: await time(50, (i) => p.brief({ weight: 'standard', focus: queries[i] })),
          briefPlace: await time(50, () => p.brief({ weight: 'standard', place: qgen.place() })),
        };
        await p.close();
      } finally {
        rmSync(fixed.root, { recursive: true, force: true });
      }
    }
    return out;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function runWorker(size, keep, proposed) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', SELF, '--worker', String(size), ...(keep ? ['--keep'] : []), ...(proposed ? ['--proposed'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`in-process run at ${size} exited with ${code}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`in-process run at ${size} printed no JSON: ${out.slice(0, 200)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// MCP over stdio: Physarum vs. the reference memory server
// ---------------------------------------------------------------------------------------------

const MEMORY_BIN = join(PROJECT_ROOT, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
const PHYSARUM_BIN = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

/** The servers compared: Physarum with each durability (full is its default), and the reference server. */
const MCP_SERVERS = ['physarum', 'physarum-normal', 'memory'];
const DURABILITY = { physarum: 'full', 'physarum-normal': 'normal' };
const isPhysarum = (kind) => kind in DURABILITY;

async function connect(kind, dir, name) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir };
  const params = isPhysarum(kind)
    ? {
        command: process.execPath,
        args: [PHYSARUM_BIN, 'mcp'],
        env: { ...env, PHYSARUM_STORE: join(dir, 'physarum.db'), PHYSARUM_ROOT: dir, PHYSARUM_INSTANCE: name, PHYSARUM_DURABILITY: DURABILITY[kind] },
      }
    : { command: process.execPath, args: [MEMORY_BIN], env: { ...env, MEMORY_FILE_PATH: join(dir, 'memory.jsonl') } };
  const transport = new StdioClientTransport({ ...params, stderr: 'ignore', cwd: dir });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** One write of an item: a trace at a place, or an observation on the place's entity. */
function writer(kind, client) {
  const known = new Set();
  return async (item) => {
    if (isPhysarum(kind)) {
      const r = await client.callTool({ name: 'deposit_trace', arguments: { text: item.input.text, kind: item.input.kind, places: item.input.places, tags: item.input.tags } });
      if (r.isError) throw new Error(r.content?.[0]?.text ?? 'deposit_trace failed');
      return;
    }
    const entity = item.input.places[0];
    if (!known.has(entity)) {
      known.add(entity);
      const r = await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: entity, entityType: 'place', observations: [item.input.text] }] } });
      if (r.isError) throw new Error(r.content?.[0]?.text ?? 'create_entities failed');
      return;
    }
    const r = await client.callTool({ name: 'add_observations', arguments: { observations: [{ entityName: entity, contents: [item.input.text] }] } });
    if (r.isError) throw new Error(r.content?.[0]?.text ?? 'add_observations failed');
  };
}

/**
 * What an agent reads to get the memory into its context: Physarum's standard briefing (~4k tokens, identity first,
 * then the strongest relevant traces) against server-memory's read_graph (the whole graph, its only way to see
 * everything stored). Returns the response's size.
 */
function briefer(kind, client) {
  return async () => {
    const r = isPhysarum(kind)
      ? await client.callTool({ name: 'get_briefing', arguments: { weight: 'standard' } })
      : await client.callTool({ name: 'read_graph', arguments: {} });
    if (r.isError) throw new Error(r.content?.[0]?.text ?? 'briefing failed');
    return JSON.stringify(r.content ?? '').length;
  };
}

function searcher(kind, client) {
  return async (word) => {
    const r = isPhysarum(kind)
        ? await client.callTool({ name: 'search_traces', arguments: { query: word, limit: 10 } })
        : await client.callTool({ name: 'search_nodes', arguments: { query: word } });
    if (r.isError) throw new Error(r.content?.[0]?.text ?? 'search failed');
    return JSON.stringify(r.content ?? '').length;
  };
}

async function mcpRun(kind, stages, keep) {
  const dir = mkdtempSync(join(tmpdir(), `physarum-mcp-${kind}-`));
  const client = await connect(kind, dir, `bench-${kind}`);
  const out = { server: kind, ...(isPhysarum(kind) ? { durability: DURABILITY[kind] } : {}), stages: [] };
  try {
    const ping = [];
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      await client.ping();
      if (i >= 20) ping.push(performance.now() - t);
    }
    out.ping = summarize(ping);
    const gen = traceGenerator({ seed: 1234 });
    const qgen = traceGenerator({ seed: 4321 });
    const write = writer(kind, client);
    const search = searcher(kind, client);
    const brief = briefer(kind, client);
    const writes = [];
    const t0 = performance.now();
    let written = 0;
    for (const stage of stages) {
      const from = written;
      while (written < stage) {
        const item = gen.next();
        const t = performance.now();
        await write(item);
        writes.push(performance.now() - t);
        written += 1;
        if (written % 2_000 === 0) progress(`  [mcp ${kind}] ${written} writes`);
      }
      const window = writes.slice(Math.max(from, stage - 1_000), stage);
      const searches = [];
      let bytes = 0;
      for (let i = 0; i < 110; i++) {
        const word = qgen.word();
        const t = performance.now();
        bytes += await search(word);
        if (i >= 10) searches.push(performance.now() - t);
      }
      const briefs = [];
      let briefBytes = 0;
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        const size = await brief();
        if (i >= 5) {
          briefs.push(performance.now() - t);
          briefBytes += size;
        }
      }
      out.stages.push({
        items: stage,
        write: summarize(window),
        writeWindow: `writes ${Math.max(from, stage - 1_000) + 1}–${stage}`,
        search: summarize(searches),
        meanSearchResponseBytes: bytes / 110,
        brief: summarize(briefs),
        meanBriefResponseBytes: briefBytes / briefs.length,
        elapsedMs: performance.now() - t0,
        // writes only: the searches and briefings between stages are not counted against them
        writesPerSecond: (written / writes.reduce((a, b) => a + b, 0)) * 1000,
        storeBytes: isPhysarum(kind) ? storeBytes(join(dir, 'physarum.db')) : storeBytes(join(dir, 'memory.jsonl')),
      });
    }
    return out;
  } finally {
    await client.close().catch(() => undefined);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One server's figures from several rounds: at each size, the stage of the round whose write p50 is the middle
 * one (of an even number, the lower), so every figure shown is one run's, not a blend; the ping likewise. Each
 * round's p50s are kept beside it, so the spread between runs is in the report.
 */
function middleRound(runs) {
  const middle = (xs, key) => [...xs].sort((a, b) => key(a) - key(b))[(xs.length - 1) >> 1];
  return {
    ...runs[0],
    ping: middle(runs.map((r) => r.ping), (p) => p.p50),
    stages: runs[0].stages.map((_, i) => middle(runs.map((r) => r.stages[i]), (st) => st.write.p50)),
    rounds: runs.map((r) => ({ ping: r.ping.p50, stages: r.stages.map((st) => ({ items: st.items, write: st.write.p50, search: st.search.p50 })) })),
  };
}

/**
 * The disk's floor for a durable write, with no database: 4 KiB (one page), and 64 KiB (16 pages, about what a
 * deposit's commit adds to the WAL), written in place into a file already on disk, then fdatasync, as a log does
 * at each commit. A write over MCP that is synced before it is acknowledged takes at least this plus a round trip.
 */
function syncFloor(n = 500) {
  const dir = mkdtempSync(join(tmpdir(), 'physarum-sync-'));
  const PAGE = 4096;
  const SLOTS = 256;
  try {
    const fd = openSync(join(dir, 'log'), 'w+');
    const block = Buffer.alloc(16 * PAGE, 0x61);
    for (let i = 0; i < SLOTS; i++) writeSync(fd, block, 0, PAGE, i * PAGE);
    fsyncSync(fd);
    const measure = (pages) => {
      const ms = [];
      for (let i = 0; i < n; i++) {
        const at = ((i * pages) % (SLOTS - pages)) * PAGE;
        const t = performance.now();
        writeSync(fd, block, 0, pages * PAGE, at);
        fdatasyncSync(fd);
        ms.push(performance.now() - t);
      }
      return summarize(ms);
    };
    measure(1);
    const out = { page: measure(1), commit: measure(16) };
    closeSync(fd);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 8 client connections (8 server processes on one store) each writing `n` items at once; then count what is stored. */
async function concurrencyRun(kind, clients, n, keep) {
  const dir = mkdtempSync(join(tmpdir(), `physarum-conc-${kind}-`));
  try {
    const conns = await Promise.all(Array.from({ length: clients }, (_, i) => connect(kind, dir, `writer-${i + 1}`)));
    let acknowledged = 0;
    const errors = [];
    const t0 = performance.now();
    await Promise.all(
      conns.map(async (client, c) => {
        for (let i = 0; i < n; i++) {
          const text = `Concurrent note ${i} from client ${c + 1}: checked the cache invalidation path again.`;
          try {
            const r =
              kind === 'physarum'
                ? await client.callTool({ name: 'deposit_trace', arguments: { text, places: [`src/client-${c + 1}.ts`] } })
                : await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: `client-${c + 1}-item-${i}`, entityType: 'note', observations: [text] }] } });
            if (r.isError) errors.push(String(r.content?.[0]?.text ?? 'error').slice(0, 200));
            else acknowledged += 1;
          } catch (e) {
            errors.push(String(e instanceof Error ? e.message : e).slice(0, 200));
          }
        }
      }),
    );
    const elapsedMs = performance.now() - t0;
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)));
    let stored;
    if (kind === 'physarum') {
      const { openPhysarum } = await import('../dist/index.js');
      const p = await openPhysarum({ store: join(dir, 'physarum.db'), root: dir });
      stored = (await p.info()).traces;
      await p.close();
    } else {
      const file = join(dir, 'memory.jsonl');
      stored = existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => JSON.parse(l))
            .filter((x) => x.type === 'entity').length
        : 0;
    }
    const attempted = clients * n;
    return { server: kind, clients, perClient: n, attempted, acknowledged, errors: errors.length, errorSample: errors.slice(0, 3), stored, lost: acknowledged - stored, elapsedMs };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const mark = (ok) => (ok === undefined ? '' : ok ? 'met' : 'MISSED');

function printReport(result) {
  const log = (s = '') => console.log(s);
  if (result.inProcess?.length) {
    log('\n== In-process (library API) ==');
    log('bulk load: one deposit() per trace, durability "normal"; measured deposits: 500 new traces on top, default durability "full" (fsync per commit) and "normal"');
    const rows = [];
    for (const r of result.inProcess) {
      rows.push([
        r.size.toLocaleString('en'),
        `${fmt(r.load.perSecond, 0)}/s`,
        `${fmtMs(r.depositFull.p50)} / ${fmtMs(r.depositFull.p99)}`,
        `${fmtMs(r.depositNormal.p50)} / ${fmtMs(r.depositNormal.p99)}`,
        `${fmtMs(r.search.p50)} / ${fmtMs(r.search.p99)}`,
        `${fmt(r.search.perSecond, 0)}/s`,
        `${fmtMs(r.briefStandard.p50)} / ${fmtMs(r.briefStandard.p99)}`,
        `${fmtMs(r.briefFocus.p50)} / ${fmtMs(r.briefFocus.p99)}`,
        `${fmtMs(r.briefPlace.p50)} / ${fmtMs(r.briefPlace.p99)}`,
        `${fmtMs(r.sense.p50)} / ${fmtMs(r.sense.p99)}`,
        fmtBytes(r.rssBytes),
        fmtBytes(r.storeBytes),
      ]);
    }
    log(
      table(
        ['traces', 'load', 'deposit full p50/p99 ms', 'deposit normal p50/p99', 'search p50/p99', 'search tput', 'brief p50/p99', 'brief focus', 'brief place', 'sense', 'RSS', 'store'],
        rows,
      ),
    );
    log('\nsearch profile (one search\'s ranking through dist/storage/sqlite/search.js, timed alone on the same store; ms p50 / p99):');
    log(
      table(
        ['traces', 'words (common)', 'ranking in all', 'counts', 'exact BM25', 'newest of common words', 'rows + rescore', 'exact BM25 over all words', 'exact top 10 kept'],
        result.inProcess
          .filter((r) => r.profile?.ms?.rank)
          .map((r) => [
            r.size.toLocaleString('en'),
            `${fmt(r.profile.meanWords, 1)} (${fmt(r.profile.meanCommonWords, 1)})`,
            ...['rank', 'count', 'exact', 'window', 'rescore', 'exactAllWords'].map((k) => `${fmtMs(r.profile.ms[k].p50)} / ${fmtMs(r.profile.ms[k].p99)}`),
            `${fmt(100 * r.profile.top10OverlapWithExact, 0)}%`,
          ]),
      ),
    );
    log(
      'common words: found in more than FULL_RANK_MAX traces, read through their newest traces; "exact BM25 over all words" is FTS5 ranking every\n' +
        'match (the method before), and "exact top 10 kept" the share of its top 10 that the product\'s text ranking also puts in its top 10',
    );
    const withFix = result.inProcess.filter((r) => r.proposed);
    if (withFix.length) {
      log('\nproposed fixes, measured on the same stores with a patched copy of dist/ (p50 / p99 ms):');
      for (const pt of withFix[0].proposed.patches) log(`  - ${pt.name}${pt.applied ? '' : ' (NOT APPLICABLE: the built code changed)'}`);
      log(
        table(
          ['traces', 'search as is', 'search proposed', 'brief focus as is', 'brief focus proposed', 'brief standard proposed', 'brief place proposed'],
          withFix.map((r) => [
            r.size.toLocaleString('en'),
            `${fmtMs(r.search.p50)} / ${fmtMs(r.search.p99)}`,
            `${fmtMs(r.proposed.search.p50)} / ${fmtMs(r.proposed.search.p99)}`,
            `${fmtMs(r.briefFocus.p50)} / ${fmtMs(r.briefFocus.p99)}`,
            `${fmtMs(r.proposed.briefFocus.p50)} / ${fmtMs(r.proposed.briefFocus.p99)}`,
            `${fmtMs(r.proposed.briefStandard.p50)} / ${fmtMs(r.proposed.briefStandard.p99)}`,
            `${fmtMs(r.proposed.briefPlace.p50)} / ${fmtMs(r.proposed.briefPlace.p99)}`,
          ]),
        ),
      );
    }
  }
  if (result.mcp?.length) {
    log('\n== MCP over stdio (SDK Client + StdioClientTransport; one server process) ==');
    log('writes: Physarum deposit_trace; server-memory create_entities (new place) / add_observations (known place). search: one word; search_traces (limit 10) vs search_nodes.');
    const rows = [];
    for (const m of result.mcp) {
      rows.push([m.server, 'ping', '', `${fmtMs(m.ping.p50)} / ${fmtMs(m.ping.p99)}`, '', '', '', '', '', '']);
      for (const s of m.stages) {
        rows.push([
          m.server,
          s.items.toLocaleString('en'),
          s.writeWindow,
          `${fmtMs(s.write.p50)} / ${fmtMs(s.write.p99)}`,
          `${fmt(s.writesPerSecond, 0)}/s`,
          `${fmtMs(s.search.p50)} / ${fmtMs(s.search.p99)}`,
          fmtBytes(s.meanSearchResponseBytes),
          s.brief ? `${fmtMs(s.brief.p50)} / ${fmtMs(s.brief.p99)}` : 'n/a',
          s.brief ? fmtBytes(s.meanBriefResponseBytes) : 'n/a',
          fmtBytes(s.storeBytes),
        ]);
      }
    }
    log(
      table(
        ['server', 'items', 'write window', 'write p50/p99 ms', 'writes/s', 'search p50/p99 ms', 'search response', 'briefing p50/p99 ms', 'briefing response', 'store'],
        rows,
      ),
    );
    log("briefing: get_briefing (standard) vs read_graph (the whole graph: server-memory's way to see what is stored)");
    const rounds = result.mcp[0].rounds?.length ?? 1;
    if (rounds > 1) {
      log(`\n${rounds} rounds, the servers in turn; above, at each size, the round with the middle write p50. Write p50 of each round, ms:`);
      log(table(['server', 'items', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)],
        result.mcp.flatMap((m) => m.stages.map((st, i) => [m.server, st.items.toLocaleString('en'), ...m.rounds.map((r) => fmtMs(r.stages[i].write))]))));
    }
    const mem = result.mcp.find((m) => m.server === 'memory');
    const physs = result.mcp.filter((m) => isPhysarum(m.server));
    if (physs.length && mem) {
      log('\nratios (server-memory ÷ Physarum; > 1 means Physarum is faster):');
      log(
        table(
          ['physarum', 'items', 'write p50', 'write p99', 'search p50', 'search p99', 'briefing p50'],
          physs.flatMap((phys) => phys.stages
            .map((ps) => [ps, mem.stages.find((ms) => ms.items === ps.items)])
            .filter(([, ms]) => ms)
            .map(([ps, ms]) => [
              `durability ${phys.durability ?? 'full'}`,
              ps.items.toLocaleString('en'),
              `${fmt(ms.write.p50 / ps.write.p50, 1)}×`,
              `${fmt(ms.write.p99 / ps.write.p99, 1)}×`,
              `${fmt(ms.search.p50 / ps.search.p50, 1)}×`,
              `${fmt(ms.search.p99 / ps.search.p99, 1)}×`,
              ms.brief && ps.brief ? `${fmt(ms.brief.p50 / ps.brief.p50, 1)}×` : 'n/a',
            ])),
        ),
      );
    }
  }
  if (result.syncFloor) {
    const f = result.syncFloor;
    log(
      `\nthe disk, no database: a synced 4 KiB write (write + fdatasync) p50 ${fmtMs(f.page.p50)} ms, p99 ${fmtMs(f.page.p99)} ms; ` +
        `a synced 64 KiB write p50 ${fmtMs(f.commit.p50)} ms, p99 ${fmtMs(f.commit.p99)} ms`,
    );
  }
  if (result.concurrency?.length) {
    log('\n== Write loss under concurrent clients (one server process per client, one shared store) ==');
    log(
      table(
        ['server', 'clients × items', 'acknowledged', 'errors', 'stored', 'lost (acked − stored)', 'time'],
        result.concurrency.map((c) => [c.server, `${c.clients} × ${c.perClient}`, c.acknowledged, c.errors, c.stored, c.lost, `${fmt(c.elapsedMs / 1000, 1)} s`]),
      ),
    );
    for (const c of result.concurrency) if (c.errorSample.length) log(`  ${c.server} errors, e.g.: ${c.errorSample.join(' | ')}`);
  }
  log('\n== Targets (printed, not asserted) ==');
  log(
    table(
      ['target', 'measured', ''],
      result.targets.map((t) => [t.target, t.unit ? `${fmt(t.value, t.unit === '×' ? 1 : 0)}${t.unit}` : `${fmtMs(t.value)} ms`, mark(t.ok)]),
    ),
  );
}

/**
 * Before each timed server: write out what earlier runs left in the page cache (a 1M-trace store is gigabytes)
 * and pause, so the disk is idle again and a synced write is not timed behind another run's writeback.
 */
async function settle() {
  spawnSync('sync', { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 3_000));
}

async function main() {
  const args = parseArgs(process.argv.slice(2), OPTIONS);
  if (args.from) {
    const saved = JSON.parse(readFileSync(args.from, 'utf8'));
    saved.targets = speedTargets(saved);
    console.log(`${machineLines(saved.machine).join('\n')}\n(saved run: ${args.from})\n`);
    printReport(saved);
    return;
  }
  if (args.worker) {
    const r = await inProcess(Number(args.worker), { keep: Boolean(args.keep), proposed: Boolean(args.proposed) });
    process.stdout.write(JSON.stringify(r));
    return;
  }
  const quick = Boolean(args.quick);
  const sizes = (args.sizes ?? (quick ? '10000' : '10000,100000,1000000')).split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
  const mcpItems = (args['mcp-items'] ?? (quick ? '1000' : '1000,10000')).split(',').map((s) => Number(s.trim())).filter((n) => n > 0).sort((a, b) => a - b);
  const concurrent = Number(args['concurrent-items'] ?? (quick ? 50 : 200));
  const keep = Boolean(args.keep);
  const result = { machine: machine(), sizes, inProcess: [], mcp: [], concurrency: [] };
  if (!args.json) console.log(`${machineLines(result.machine).join('\n')}\n(running; progress on stderr)`);

  if (!args['skip-inprocess']) {
    for (const size of sizes) {
      progress(`in-process: ${size.toLocaleString('en')} traces…`);
      result.inProcess.push(await runWorker(size, keep, Boolean(args.proposed)));
    }
  }
  if (!args['skip-mcp']) {
    await settle();
    progress('the disk: synced writes with no database…');
    result.syncFloor = syncFloor();
    const rounds = Math.max(1, Math.floor(Number(args['mcp-rounds'] ?? (quick ? 1 : 3))) || 1);
    const runs = new Map(MCP_SERVERS.map((kind) => [kind, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const kind of MCP_SERVERS) {
        await settle();
        progress(`MCP stdio: ${kind}, ${mcpItems.join(', ')} items (round ${round} of ${rounds})…`);
        runs.get(kind).push(await mcpRun(kind, mcpItems, keep));
      }
    }
    result.mcp = MCP_SERVERS.map((kind) => middleRound(runs.get(kind)));
  }
  if (!args['skip-concurrency']) {
    for (const kind of ['physarum', 'memory']) {
      progress(`concurrency: ${kind}, 8 clients × ${concurrent}…`);
      result.concurrency.push(await concurrencyRun(kind, 8, concurrent, keep));
    }
  }
  result.targets = speedTargets(result);
  if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    console.log('');
    printReport(result);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
