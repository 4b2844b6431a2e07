// Ingest throughput and memory on a large file: generates a file of --mb megabytes (plain text, a Claude Code JSONL
// transcript, or both) in a temporary folder, runs the real CLI (`dist/cli/main.js ingest`) on it under
// /usr/bin/time -v, then runs it again (nothing changed), and prints time, throughput and peak RSS of each run.
//
//   npm run build && node bench/ingest.mjs [--mb 100] [--kinds text,claude-code] [--json] [--keep]
//
// Peak RSS comes from /usr/bin/time -v ("Maximum resident set size"); without it, from
// process.resourceUsage().maxRSS read inside the child at exit. Figures are printed, not asserted.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, fmtBytes, machine, machineLines, parseArgs, table } from './lib/common.mjs';
import { prng } from './lib/synth.mjs';

const args = parseArgs(process.argv.slice(2), { mb: 'string', kinds: 'string', json: 'bool', keep: 'bool' });
const MB = Number(args.mb ?? 100);
const KINDS = (args.kinds ?? 'text').split(',').map((k) => k.trim()).filter(Boolean);
const BIN = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
if (!existsSync(BIN)) throw new Error('run `npm run build` first');

const WORDS =
  'tide marsh lantern kettle ledger harbour quarry willow signal copper ember lattice orchard meadow thistle cinder basalt ferry gauge rivet spindle beacon furrow glacier hollow ink journal keel loom mortar nettle oar pewter quill rudder saddle tallow umber vellum wicker yarrow zephyr the a of and to in is was that with for on as by at from it'.split(' ');

function sentence(rand) {
  const n = 6 + Math.floor(rand() * 18);
  const words = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]);
  const s = words.join(' ');
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
}
function paragraph(rand) {
  return Array.from({ length: 2 + Math.floor(rand() * 6) }, () => sentence(rand)).join(' ');
}

async function write(path, bytes, next) {
  const out = createWriteStream(path);
  let written = 0;
  while (written < bytes) {
    const chunk = next();
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

async function generate(kind, dir) {
  const rand = prng(42);
  const bytes = MB * 1_000_000;
  if (kind === 'text') {
    const path = join(dir, 'big.txt');
    await write(path, bytes, () => `${paragraph(rand)}\n\n`);
    return path;
  }
  if (kind === 'claude-code') {
    const path = join(dir, 'big-session.jsonl');
    let n = 0;
    const t0 = Date.UTC(2026, 0, 1);
    await write(path, bytes, () => {
      n++;
      const user = n % 3 === 1;
      const event = {
        type: user ? 'user' : 'assistant',
        sessionId: 'bench-session',
        cwd: dir,
        uuid: `u-${n}`,
        timestamp: new Date(t0 + n * 1000).toISOString(),
        message: user ? { role: 'user', content: paragraph(rand) } : { role: 'assistant', content: [{ type: 'text', text: paragraph(rand) }] },
      };
      return `${JSON.stringify(event)}\n`;
    });
    return path;
  }
  throw new Error(`unknown kind ${kind}; use text or claude-code`);
}

/** Runs the CLI once; returns wall time, peak RSS and the summary. */
function run(file, cwd) {
  const hasTime = existsSync('/usr/bin/time');
  const cli = [BIN, 'ingest', file, '--json'];
  const started = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-v', process.execPath, ...cli], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, ['--import', `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss_kib '+process.resourceUsage().maxRSS+'\\n'))`, ...cli], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
  const rssKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? /maxrss_kib (\d+)/.exec(r.stderr)?.[1]);
  return { seconds, rssBytes: rssKiB * 1024, summary: JSON.parse(r.stdout), how: hasTime ? '/usr/bin/time -v' : 'process.resourceUsage().maxRSS' };
}

const m = machine();
const results = [];
for (const kind of KINDS) {
  const dir = mkdtempSync(join(tmpdir(), 'physarum-ingest-bench-'));
  try {
    const file = await generate(kind, dir);
    const size = statSync(file).size;
    const first = run(file, dir);
    const again = run(file, dir);
    const store = statSync(join(dir, '.physarum', 'physarum.db')).size;
    results.push({
      kind,
      bytes: size,
      pieces: first.summary.items,
      first: { seconds: first.seconds, rssBytes: first.rssBytes, mbPerSecond: size / 1e6 / first.seconds, piecesPerSecond: first.summary.items / first.seconds, added: first.summary.added },
      again: { seconds: again.seconds, rssBytes: again.rssBytes, added: again.summary.added, unchanged: again.summary.unchanged },
      storeBytes: store,
      rssFrom: first.how,
    });
  } finally {
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

if (args.json) console.log(JSON.stringify({ machine: m, mb: MB, results }, null, 2));
else {
  console.log(machineLines(m).join('\n'));
  console.log(`peak RSS from ${results[0]?.rssFrom ?? 'n/a'}; the store uses durability full, 500 deposits per transaction\n`);
  console.log(
    table(
      ['input', 'size', 'pieces', 'first run', 'MB/s', 'pieces/s', 'peak RSS', 'again (unchanged)', 'peak RSS again', 'store'],
      results.map((r) => [
        r.kind,
        fmtBytes(r.bytes),
        r.pieces,
        `${r.first.seconds.toFixed(1)} s`,
        r.first.mbPerSecond.toFixed(2),
        Math.round(r.first.piecesPerSecond),
        fmtBytes(r.first.rssBytes),
        `${r.again.seconds.toFixed(1)} s (+${r.again.added})`,
        fmtBytes(r.again.rssBytes),
        fmtBytes(r.storeBytes),
      ]),
    ),
  );
}
