// The ingest section of the benchmarks page, rendered from `bench/ingest.mjs --json`.
import { fmt, fmtBytes, machineLine, mdTable } from './markdown.mjs';

export const name = 'ingest';
export const file = 'ingest.json';
export const command = ['bench/ingest.mjs', '--json', '--mb', '100', '--kinds', 'text,claude-code'];
const shown = 'npm run bench:ingest -- --mb 100 --kinds text,claude-code';

/** Ingest has no numeric target; the page shows its figures only. */
export const targets = () => [];

export function render(g) {
  const out = [`## Ingest: \`${shown}\``, '', `Machine: ${machineLine(g.machine)}.`, ''];
  out.push(
    'A generated file ingested by the real CLI into a fresh store (durability full), then again unchanged; peak RSS from `/usr/bin/time -v`. ' +
      'See [ingest](ingest.md#memory-and-speed).',
  );
  out.push('');
  out.push(
    mdTable(
      ['input', 'size', 'pieces', 'first run', 'MB/s', 'pieces/s', 'peak RSS', 'again, unchanged', 'peak RSS again', 'store'],
      g.results.map((r) => [
        r.kind,
        fmtBytes(r.bytes),
        r.pieces.toLocaleString('en'),
        `${fmt(r.first.seconds, 1)} s`,
        fmt(r.first.mbPerSecond, 2),
        Math.round(r.first.piecesPerSecond).toLocaleString('en'),
        fmtBytes(r.first.rssBytes),
        `${fmt(r.again.seconds, 1)} s, +${r.again.added}`,
        fmtBytes(r.again.rssBytes),
        fmtBytes(r.storeBytes),
      ]),
    ),
  );
  return out.join('\n');
}
