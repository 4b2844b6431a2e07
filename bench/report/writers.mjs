// The many-writers section of the benchmarks page, rendered from `bench/writers.mjs --json`.
import { fmt, machineLine, mdTable } from './markdown.mjs';

export const name = 'writers';
export const file = 'writers.json';
export const command = ['bench/writers.mjs', '--json', '--durability', 'both'];
const shown = 'npm run bench:writers -- --durability both';

export function targets(w) {
  const t = w.target;
  return w.runs
    .filter((r) => r.writers === t.writers)
    .map((r) => ({
      target: `${t.writers} writer processes ≥ ${t.throughput.toLocaleString('en')} deposits/s with p99 ≤ ${t.p99Ms} ms (durability ${r.durability}, ${r.mode})`,
      measured: `${r.throughputPerS.toLocaleString('en')}/s, p99 ${fmt(r.p99Ms, 1)} ms`,
      ok: r.throughputPerS >= t.throughput && r.p99Ms <= t.p99Ms,
    }));
}

export function render(w) {
  const out = [`## Many writers: \`${shown}\``, '', `Machine: ${machineLine(w.machine)}.`, ''];
  out.push(
    `Each writer is its own process depositing in a loop through the library for ${w.seconds} s on one store; ` +
      'one of them is elected the store’s committer and commits everyone’s deposits together (see [storage](storage.md)). ' +
      'The store is checked afterwards to hold exactly the acknowledged deposits.',
  );
  out.push('');
  out.push(
    mdTable(
      ['writers', 'durability', 'deposits/s', 'p50 ms', 'p99 ms', 'max ms', 'deposits per commit', 'stored = acknowledged'],
      w.runs.map((r) => [r.writers, r.durability, r.throughputPerS.toLocaleString('en'), fmt(r.p50Ms, 2), fmt(r.p99Ms, 1), fmt(r.maxMs, 0), fmt(r.commits?.depositsPerTransaction, 1), r.storedEqualsAcknowledged ? 'yes' : '**no**']),
    ),
  );
  return out.join('\n');
}
