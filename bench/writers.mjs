// Concurrent writers: N processes (default 1, 8, 32) deposit in a loop through the library against one store
// for a fixed time. Each child times every deposit itself; the parent reports p50/p99 latency and the
// aggregate throughput per N, and checks that the store holds exactly the acknowledged deposits.
//
//   npm run build && node bench/writers.mjs [--json] [--writers 1,8,32] [--seconds 5]
//        [--durability full|normal|both] [--mode shared|direct] [--busy-timeout MS]
//        [--profile] [--handoff] [--keep]
//
// Target to compare against (printed, not asserted): 32 writers >= 2,000 deposits/s in total, p99 <= 50 ms.
// --json prints one JSON object on stdout (progress goes to stderr): the machine with its load average and
// date, and per run the throughput, p50/p90/p99/max latency, the per-writer spread, how many deposits each
// commit held and how many went through another process's committer, and whether the store holds exactly
// the acknowledged deposits.
//
// --mode shared (default) is the product as shipped: every writer opens the store and calls deposit(); one
// of them becomes the store's committer and commits the deposits of all of them together (group commit
// across processes over a Unix socket beside the file), each acknowledged after its commit.
// --mode direct turns that off (sharedCommits: false): every writer commits its own deposits, one sync per
// commit, waiting for the write lock off its event loop. Run both to compare the designs on one machine.
// --handoff has the committer leave halfway through (it stops and closes the store, as a session that ends while
// the others write) and reports how long the other writers' deposits started in the second after it took.
// --busy-timeout MS sets how long a writer waits for the write lock (default: the library's 10 s).
// --profile splits each deposit's time by timing the connection's BEGIN IMMEDIATE and COMMIT (a diagnostic
// that reaches into the storage object): waiting for the write lock, holding it, and the COMMIT itself
// (the fsync with durability full, and any automatic checkpoint, which runs after the lock is released).
// The lock is awaited between tries off the event loop, so "lock wait" is the time of each try, not the
// whole wait; the whole wait is in the latency.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, machineLines } from './lib/common.mjs';

const SELF = fileURLToPath(import.meta.url);
const TARGET = { writers: 32, throughput: 2_000, p99Ms: 50 };
const MODES = ['shared', 'direct'];

function parseArgs(argv) {
  const o = {
    json: false,
    writers: [1, 8, 32],
    seconds: 5,
    durability: ['full'],
    mode: 'shared',
    busyTimeout: undefined,
    profile: false,
    handoff: false,
    keep: false,
    child: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--keep') o.keep = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--handoff') o.handoff = true;
    else if (a === '--child') o.child = true;
    else if (a === '--writers') o.writers = value().split(',').map((n) => Number.parseInt(n, 10));
    else if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--mode') o.mode = value();
    else if (a === '--durability') {
      const d = value();
      o.durability = d === 'both' ? ['full', 'normal'] : [d];
    } else if (a === '--busy-timeout') o.busyTimeout = Number(value());
    else throw new Error(`unknown option ${a}; see the header of bench/writers.mjs`);
  }
  if (o.writers.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--writers takes positive whole numbers, e.g. 1,8,32');
  if (!(o.seconds > 0)) throw new Error('--seconds must be positive');
  if (o.durability.some((d) => d !== 'full' && d !== 'normal')) throw new Error('--durability is full, normal or both');
  if (!MODES.includes(o.mode)) throw new Error(`--mode is one of ${MODES.join(', ')}`);
  if (o.mode === 'shared' && o.profile) throw new Error('--profile times each writer\'s own commits: use it with --mode direct');
  if (o.handoff && o.mode !== 'shared') throw new Error('--handoff has the committer leave: use it with --mode shared');
  return o;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (x) => Math.round(x * 100) / 100;

async function openStore(store, durability, busyTimeout, mode, root) {
  const { SqliteStorage, Physarum } = await import('../dist/index.js');
  const storage = SqliteStorage.open({ path: store, durability, sharedCommits: mode === 'shared', ...(busyTimeout === undefined ? {} : { busyTimeoutMs: busyTimeout }) });
  return new Physarum({ storage, root });
}

function depositInput(index, n) {
  return {
    text: `writer ${index} deposit ${n}: the parser drops a byte order mark before the first token (${process.pid}.${n})`,
    places: [`src/module-${index % 8}.ts`],
    tags: ['bench'],
  };
}

// ---------------------------------------------------------------------------------------------
// Child: open the store, wait for "go", deposit until the deadline, send back every latency
// ---------------------------------------------------------------------------------------------

async function child() {
  const { store, durability, busyTimeout, profile, mode, index, handoff } = JSON.parse(process.env.WRITERS_CHILD);
  const actor = { name: `writer-${index}`, role: 'agent' };
  // Replies from the parent, in order: one outstanding request at a time.
  const replies = [];
  let waiting;
  process.on('message', (m) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(m);
    } else replies.push(m);
  });
  const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((resolve) => (waiting = resolve)));

  const physarum = await openStore(store, durability, busyTimeout, mode, tmpdir());
  const phases = profile ? profileConnection(physarum.storage) : undefined;
  process.send({ ready: true });
  const { until, leaveAt } = await next();

  const latencies = [];
  // With --handoff: when each deposit started (epoch ms), and when this writer left as the committer.
  const startedAt = handoff ? [] : undefined;
  let left;
  const errors = {};
  for (let n = 0; Date.now() < until; n++) {
    const input = depositInput(index, n);
    const started = Date.now();
    const t0 = performance.now();
    try {
      await physarum.deposit(input, actor);
      latencies.push(performance.now() - t0);
      startedAt?.push(started);
    } catch (e) {
      const code = e?.code ?? String(e);
      errors[code] = (errors[code] ?? 0) + 1;
    }
    // The first committer past the middle of the run leaves, as a session that ends while others write.
    if (handoff && Date.now() >= leaveAt && physarum.storage.commitStats().committer && claimLeave(store)) {
      left = Date.now();
      break;
    }
  }
  // Counted before close(): closing hands nothing over, but a committer's figures are this run's.
  const commits = physarum.storage.commitStats();
  await physarum.close();
  process.send({ done: true, latencies, startedAt, left, errors, phases, commits }, () => process.exit(0));
}

/** True for the one writer that leaves first (a file created once, beside the store). */
function claimLeave(store) {
  try {
    writeFileSync(`${store}.handoff`, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/** Times BEGIN IMMEDIATE (waiting for the lock), BEGIN..COMMIT (holding it) and COMMIT on the storage's connection. */
function profileConnection(storage) {
  const db = storage.db;
  if (!db || typeof db.exec !== 'function') throw new Error('--profile: this build has no storage.db to time');
  const phases = { wait: [], hold: [], commit: [] };
  const exec = db.exec.bind(db);
  let held;
  db.exec = (sql) => {
    const t0 = performance.now();
    try {
      return exec(sql);
    } finally {
      const t1 = performance.now();
      if (sql === 'BEGIN IMMEDIATE') {
        phases.wait.push(t1 - t0);
        held = t1;
      } else if (sql === 'COMMIT' && held !== undefined) {
        phases.commit.push(t1 - t0);
        phases.hold.push(t1 - held);
        held = undefined;
      }
    }
  };
  return phases;
}

// ---------------------------------------------------------------------------------------------
// Parent
// ---------------------------------------------------------------------------------------------

async function runOne(n, durability, o) {
  const { openPhysarum } = await import('../dist/index.js');
  const dir = mkdtempSync(join(tmpdir(), `physarum-writers-${n}-`));
  const store = join(dir, 'physarum.db');
  // Create and migrate the store first, so the writers measure writing, not setting up.
  await (await openPhysarum({ store, root: dir })).close();
  try {
    return await measure(n, durability, o, store, dir);
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(n, durability, o, store, dir) {
  const { openPhysarum } = await import('../dist/index.js');

  const children = Array.from({ length: n }, (_, index) =>
    fork(SELF, ['--child'], {
      env: {
        ...process.env,
        WRITERS_CHILD: JSON.stringify({ store, durability, busyTimeout: o.busyTimeout, profile: o.profile, mode: o.mode, index, handoff: o.handoff }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const ready = children.map((c) => new Promise((resolve) => c.once('message', resolve)));
  const results = children.map(
    (c) =>
      new Promise((resolve, reject) => {
        let result;
        c.on('message', (m) => {
          if (m.done) result = m;
        });
        c.on('error', reject);
        c.on('exit', (code) => (result ? resolve(result) : reject(new Error(`a writer exited with code ${code} before reporting`))));
      }),
  );
  await Promise.all(ready);
  const start = Date.now() + 200;
  const until = start + o.seconds * 1000;
  const leaveAt = start + (until - start) / 2;
  for (const c of children) c.send({ until, leaveAt });
  const reports = await Promise.all(results);
  const elapsedS = (until - start) / 1000;
  // Transactions committed by all writers together, and how many writers committed for others.
  const transactions = reports.reduce((sum, r) => sum + r.commits.batches, 0);
  const commits = {
    transactions,
    depositsPerTransaction: round(reports.reduce((sum, r) => sum + r.commits.writes, 0) / Math.max(1, transactions)),
    committers: reports.filter((r) => r.commits.committer).length,
    lockRetries: reports.reduce((sum, r) => sum + r.commits.lockRetries, 0),
    sent: reports.reduce((sum, r) => sum + r.commits.sent, 0),
    lost: reports.reduce((sum, r) => sum + r.commits.lost, 0),
    resent: reports.reduce((sum, r) => sum + (r.commits.resent ?? 0), 0),
  };

  const all = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const perWriter = reports.map((r) => r.latencies.length);
  const errors = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;

  // --handoff: the other writers' deposits started from just before the committer left to a second after.
  let handoff;
  if (o.handoff) {
    const leaver = reports.find((r) => r.left !== undefined);
    if (leaver) {
      const around = reports
        .filter((r) => r !== leaver)
        .flatMap((r) => r.latencies.filter((_, i) => r.startedAt[i] >= leaver.left - 50 && r.startedAt[i] < leaver.left + 1000))
        .sort((a, b) => a - b);
      handoff = { deposits: around.length, p50Ms: round(percentile(around, 50)), p99Ms: round(percentile(around, 99)), maxMs: round(around[around.length - 1] ?? NaN) };
    } else handoff = { deposits: 0, note: 'no committer left (none was elected, or the run ended first)' };
  }

  const check = await openPhysarum({ store, root: dir });
  const stored = (await check.info()).traces;
  await check.close();

  return {
    writers: n,
    durability,
    mode: o.mode,
    seconds: elapsedS,
    deposits: all.length,
    throughputPerS: Math.round(all.length / elapsedS),
    p50Ms: round(percentile(all, 50)),
    p90Ms: round(percentile(all, 90)),
    p99Ms: round(percentile(all, 99)),
    maxMs: round(all[all.length - 1] ?? NaN),
    perWriterMin: Math.min(...perWriter),
    perWriterMax: Math.max(...perWriter),
    errors,
    ...(o.profile ? { phases: summarizePhases(reports, elapsedS) } : {}),
    ...(handoff ? { handoff } : {}),
    commits,
    storedEqualsAcknowledged: stored === all.length,
    ...(o.keep ? { store } : {}),
  };
}

function summarizePhases(reports, elapsedS) {
  const out = {};
  for (const phase of ['wait', 'hold', 'commit']) {
    const all = reports.flatMap((r) => r.phases[phase]).sort((a, b) => a - b);
    const total = all.reduce((a, b) => a + b, 0);
    out[phase] = { meanMs: round(total / all.length), p50Ms: round(percentile(all, 50)), p99Ms: round(percentile(all, 99)), maxMs: round(all[all.length - 1] ?? NaN) };
  }
  // Summed BEGIN..COMMIT time over the run's length: near 1 means the write lock never idled (checkpoints,
  // which run inside COMMIT after the lock is released, can push it above 1).
  out.heldShare = round(reports.flatMap((r) => r.phases.hold).reduce((a, b) => a + b, 0) / (elapsedS * 1000));
  return out;
}

const pad = (x) => String(x).padStart(6);

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) return child();
  const m = machine();
  const say = (s) => (o.json ? process.stderr.write(`${s}\n`) : process.stdout.write(`${s}\n`));
  if (!o.json) {
    for (const line of machineLines(m)) say(line);
    say(`${o.seconds} s per run · mode ${o.mode} · every writer is its own process (library, ../dist/index.js)`);
    if (o.busyTimeout !== undefined) say(`busy timeout ${o.busyTimeout} ms`);
    say(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    say(`target: ${TARGET.writers} writers >= ${TARGET.throughput.toLocaleString('en')} deposits/s total with p99 <= ${TARGET.p99Ms} ms`);
    say('');
    say('writers  durability  deposits  per s    p50 ms  p90 ms  p99 ms  max ms  per writer (min-max)  errors');
  }
  const runs = [];
  for (const durability of o.durability) {
    for (const n of o.writers) {
      const r = await runOne(n, durability, o);
      runs.push(r);
      if (!o.json) {
        const errors = Object.entries(r.errors).map(([k, v]) => `${k}×${v}`).join(' ') || 'none';
        say(
          `${String(r.writers).padStart(7)}  ${r.durability.padEnd(10)}  ${String(r.deposits).padStart(8)}  ${String(r.throughputPerS).padStart(5)}  ${pad(r.p50Ms)}  ${pad(r.p90Ms)}  ${pad(r.p99Ms)}  ${pad(r.maxMs)}  ${`${r.perWriterMin}-${r.perWriterMax}`.padStart(20)}  ${errors}${r.storedEqualsAcknowledged ? '' : '  STORED != ACKNOWLEDGED'}`,
        );
        if (r.phases) {
          const f = (p) => `${p.meanMs}/${p.p50Ms}/${p.p99Ms}/${p.maxMs}`;
          say(`         lock wait ${f(r.phases.wait)} · held ${f(r.phases.hold)} · of which COMMIT ${f(r.phases.commit)} ms (mean/p50/p99/max) · held ${Math.round(r.phases.heldShare * 100)}% of the run`);
        }
        say(`         ${r.commits.transactions} transactions, ${r.commits.depositsPerTransaction} deposits each on average; ${r.commits.committers} writer(s) committed for others (${r.commits.sent} sent, ${r.commits.lost} unanswered, ${r.commits.resent ?? 0} of them sent on to the next committer); ${r.commits.lockRetries} waits for the lock`);
        if (r.handoff) {
          say(
            r.handoff.deposits > 0
              ? `         committer left mid-run: the others' ${r.handoff.deposits} deposits started in the second after took p50 ${r.handoff.p50Ms}, p99 ${r.handoff.p99Ms}, max ${r.handoff.maxMs} ms`
              : `         --handoff: ${r.handoff.note ?? 'no deposits around the handoff'}`,
          );
        }
      } else process.stderr.write(`${r.writers} writers (${r.durability}, ${r.mode}): ${r.throughputPerS}/s, p99 ${r.p99Ms} ms\n`);
    }
  }
  const verdicts = runs
    .filter((r) => r.writers === TARGET.writers)
    .map((r) => ({ durability: r.durability, mode: r.mode, throughputMet: r.throughputPerS >= TARGET.throughput, p99Met: r.p99Ms <= TARGET.p99Ms }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ machine: m, seconds: o.seconds, mode: o.mode, target: TARGET, runs, verdicts })}\n`);
  } else {
    say('');
    if (verdicts.length === 0) say(`(no run with ${TARGET.writers} writers: target not compared)`);
    for (const v of verdicts) {
      say(`target with ${TARGET.writers} writers (${v.durability}, ${v.mode}): throughput ${v.throughputMet ? 'met' : 'MISSED'}, p99 ${v.p99Met ? 'met' : 'MISSED'}`);
    }
  }
}

await main();
