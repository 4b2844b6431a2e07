// Writes docs/benchmarks.md from the harnesses' own JSON, so no figure on that page is typed by hand.
//
//   npm run bench:report -- [--sizes 10000,100000,1000000] [--data DIR] [--save DIR] [--only recall,speed,writers,ingest,viewer]
//   npm run bench:report -- --from DIR          (render from JSON saved earlier; nothing is measured)
//   [--out FILE]                                 (default docs/benchmarks.md)
//
// Each harness has a renderer in bench/report/ (name, file, command, render(json), targets(json)); add one
// there and to SECTIONS to put another harness on the page. A run saves each harness's JSON (and the load
// average before and after it) to --save DIR, default a new temporary folder, so a long run can be re-rendered.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT, parseArgs } from './lib/common.mjs';
import * as recall from './report/recall.mjs';
import * as speed from './report/speed.mjs';
import * as writers from './report/writers.mjs';
import * as ingest from './report/ingest.mjs';
import * as viewer from './report/viewer.mjs';
import { machineLine, targetLine, targetsHeading } from './report/markdown.mjs';

/** The page's sections, in order. */
const SECTIONS = [recall, speed, writers, ingest, viewer];
const DEFAULT_SIZES = '10000,100000,1000000';

const INTRO = `# Benchmarks

This page is written by \`npm run bench:report\` from the JSON the harnesses in \`bench/\` print; no figure is
typed by hand. Method details are in [bench/README.md](../bench/README.md). Latencies depend on what else the
machine is doing: each section gives the machine, the date and the load average around its run, and figures
measured under load are best rerun on a quiet machine before they are compared.`;

const OTHERS = `## Other benchmarks

- \`npm run bench:hooks\`: each Claude Code hook as Claude Code runs it ([claude-code.md](claude-code.md#speed)).`;

const progress = (s) => process.stderr.write(`${s}\n`);

/** Runs one harness with node, stdout captured (its JSON), stderr passed through (its progress). */
function runHarness(args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`node ${args.join(' ')} exited with ${code}`))));
  });
}

const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

async function measure(section, { sizes, data }, dir) {
  const args = typeof section.command === 'function' ? section.command(sizes) : [...section.command];
  if (data && section.name === 'recall') args.push('--data', data);
  progress(`running node ${args.join(' ')}…`);
  const before = load();
  const json = JSON.parse(await runHarness(args));
  json.reportLoad = { before, after: load() };
  writeFileSync(join(dir, section.file), `${JSON.stringify(json, null, 2)}\n`);
  return json;
}

function loadLine(json) {
  const l = json.reportLoad;
  return l ? `Load average (1 / 5 / 15 min) before the run ${l.before.join(' / ')}, after it ${l.after.join(' / ')}.` : '';
}

export function renderPage(results) {
  const parts = [INTRO];
  const summary = [];
  for (const section of SECTIONS) {
    const json = results[section.name];
    if (!json) continue;
    parts.push([section.render(json), '', loadLine(json)].join('\n').trimEnd());
    summary.push(...section.targets(json));
  }
  parts.splice(1, 0, [targetsHeading(summary), '', ...summary.map(targetLine)].join('\n'));
  parts.push(OTHERS);
  return `${parts.join('\n\n')}\n`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2), { from: 'string', save: 'string', out: 'string', sizes: 'string', data: 'string', only: 'string' });
  const only = args.only ? new Set(args.only.split(',')) : undefined;
  const results = {};
  if (args.from) {
    const dir = resolve(args.from);
    for (const section of SECTIONS) {
      const path = join(dir, section.file);
      if (existsSync(path) && (!only || only.has(section.name))) results[section.name] = JSON.parse(readFileSync(path, 'utf8'));
    }
    if (Object.keys(results).length === 0) throw new Error(`no harness JSON in ${dir}; expected ${SECTIONS.map((s) => s.file).join(', ')}`);
  } else {
    const dir = args.save ? resolve(args.save) : mkdtempSync(join(os.tmpdir(), 'physarum-report-'));
    mkdirSync(dir, { recursive: true });
    progress(`saving each harness's JSON in ${dir} (render again with --from ${dir})`);
    for (const section of SECTIONS) {
      if (only && !only.has(section.name)) continue;
      results[section.name] = await measure(section, { sizes: args.sizes ?? DEFAULT_SIZES, data: args.data }, dir);
    }
  }
  const out = resolve(PROJECT_ROOT, args.out ?? 'docs/benchmarks.md');
  writeFileSync(out, renderPage(results));
  const first = Object.values(results)[0];
  progress(`wrote ${out}${first?.machine ? ` (${machineLine(first.machine)})` : ''}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
