// Benchmark: latency of each `physarum hook <event>` run as Claude Code runs it (a new process per call), p50/p95.
// Usage: npm run bench:hooks [-- --runs 40 --json]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 40) || 40;
const asJson = args.includes('--json');
const BIN = resolve('dist/cli/bin.cjs');
const project = mkdtempSync(join(tmpdir(), 'physarum-hookbench-'));
mkdirSync(join(project, '.git'));
const env = { ...process.env, PHYSARUM_USER: 'bench' };
delete env.PHYSARUM_STORE;

function run(argv, input = '') {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: project, input, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

// A store with some substance: 500 traces over 100 files.
run(['init']);
for (let i = 0; i < 50; i++) run(['deposit', `Remark ${i} about module ${i % 100}: keep the parser total and the lexer lazy`, '-p', `src/m${i % 100}.ts`]);

const payload = (event, extra = {}) =>
  JSON.stringify({ session_id: 'bench-session-0001', cwd: project, transcript_path: join(project, 't.jsonl'), hook_event_name: event, ...extra });

const cases = {
  SessionStart: (i) => payload('SessionStart', { source: 'startup', session_id: `bench-${i}` }),
  PreToolUse: (i) => payload('PreToolUse', { tool_name: 'Read', tool_input: { file_path: join(project, `src/m${i % 100}.ts`) } }),
  PostToolUse: (i) => payload('PostToolUse', { tool_name: 'Edit', tool_input: { file_path: join(project, `src/m${i % 100}.ts`) } }),
  Stop: () => payload('Stop', { stop_hook_active: false }),
  PreCompact: () => payload('PreCompact', { trigger: 'auto' }),
  SessionEnd: (i) => payload('SessionEnd', { session_id: `bench-${i}`, reason: 'exit' }),
};

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const baseline = Array.from({ length: 10 }, () => {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - t) / 1e6;
});
const results = {};
for (const [event, make] of Object.entries(cases)) {
  const times = Array.from({ length: runs }, (_, i) => run(['hook', event], make(i)));
  results[event] = { p50: pct(times, 0.5), p95: pct(times, 0.95), runs };
}
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
if (asJson) console.log(JSON.stringify({ machine, nodeStartupP50: pct(baseline, 0.5), target: { p95: 100 }, results }, null, 2));
else {
  console.log(`physarum hook latency · ${machine.cpu} · ${machine.cores} cores · ${machine.memGiB} GiB · node ${machine.node} · ${machine.date}`);
  console.log(`(a bare \`node -e 0\` takes ${pct(baseline, 0.5).toFixed(1)} ms here; target: p95 < 100 ms per hook)`);
  console.log('event          p50 ms   p95 ms');
  for (const [event, r] of Object.entries(results)) console.log(`${event.padEnd(14)} ${r.p50.toFixed(1).padStart(6)}   ${r.p95.toFixed(1).padStart(6)}${r.p95 < 100 ? '' : '  (over target)'}`);
}
