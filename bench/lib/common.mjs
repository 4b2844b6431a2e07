// Helpers shared by the benchmark scripts: arguments, machine description, percentiles, tables.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** The project root (the folder holding package.json), whatever the working directory. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Parses `--flag`, `--key value` and `--key=value` arguments.
 * `spec` maps names to 'bool' or 'string'; unknown arguments throw with the list of known ones.
 */
export function parseArgs(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}; known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (kind === undefined) throw new Error(`unknown option --${name}; known: ${Object.keys(spec).map((k) => `--${k}`).join(' ')}`);
    if (kind === 'bool') {
      out[name] = eq > 0 ? arg.slice(eq + 1) !== 'false' : true;
    } else {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}

/** CPU model, cores, RAM, OS, node version, date: printed before any figure. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    // Other work on the machine moves latencies: the 1, 5 and 15 minute load averages when the run began.
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function machineLines(m = machine()) {
  const load = m.loadAverage ? ` · load average ${m.loadAverage.join(', ')}` : '';
  return [`machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}`, `node ${m.node} · ${m.date}${load}`];
}

/** The p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarize(ms) {
  return { n: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), mean: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length) };
}

/** Renders rows (arrays of cells) as an aligned text table; numbers right-aligned. */
export function table(header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => typeof r[i] === 'number' || /^[-\d.,×%x ]+$|^n\/a$|^$/u.test(String(r[i] ?? ''))));
  const line = (r) => r.map((c, i) => (numeric[i] && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(n, digits = 1) {
  if (n === undefined || n === null || Number.isNaN(n)) return 'n/a';
  return n.toFixed(digits);
}

export function fmtMs(n) {
  if (n === undefined || Number.isNaN(n)) return 'n/a';
  return n < 1 ? n.toFixed(3) : n < 100 ? n.toFixed(2) : n.toFixed(0);
}

export function fmtBytes(b) {
  if (b === undefined || Number.isNaN(b)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) (b /= 1024), i++;
  return `${b.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
