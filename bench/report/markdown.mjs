// Markdown building blocks for the benchmarks page: tables, figures, target lines.
import { fmt, fmtBytes, fmtMs } from '../lib/common.mjs';

export { fmt, fmtBytes, fmtMs };

/** A Markdown table; cells are strings or numbers, `|` escaped. */
export function mdTable(header, rows) {
  const cell = (c) => String(c ?? '').replaceAll('|', '\\|');
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/** "p50 / p99" of a summary, in ms. */
export const p50p99 = (s) => (s ? `${fmtMs(s.p50)} / ${fmtMs(s.p99)}` : 'n/a');

/** One target as a list line: what, the measured figure, met or not met; `ok` undefined is a figure reported beside the targets. */
export const targetLine = ({ target, measured, ok }) => `- ${ok === undefined ? 'ℹ️ reported' : ok ? '✅ met' : '❌ **not met**'}: ${target} (measured ${measured})`;

/** The page's summary heading: figures reported beside the targets (`ok` undefined) are not counted. */
export function targetsHeading(summary) {
  const counted = summary.filter((t) => t.ok !== undefined);
  return `## Targets: ${counted.filter((t) => t.ok).length} of ${counted.length} met`;
}

/** A machine description from a harness's JSON (every harness prints the same `machine` object). */
export function machineLine(m) {
  const load = m.loadAverage ? `; load average ${m.loadAverage.join(' / ')} (1 / 5 / 15 min) when it began` : '';
  return `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, Node ${m.node}, ${m.date.slice(0, 16).replace('T', ' ')} UTC${load}`;
}
