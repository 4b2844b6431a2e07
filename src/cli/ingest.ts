// CLI command `ingest`: reads files and folders into traces (the work is the core's `ingest()`); a progress bar on a
// terminal, then a summary.
import type { Command } from 'commander';
import { collect, withStore } from './context.js';
import type { FormatChoice, IngestProgress, IngestSummary } from '../ingest/types.js';

interface Progress {
  update(p: IngestProgress): void;
  format(file: string, format: string, why: string): void;
  done(): void;
}

const quiet: Progress = { update: () => undefined, format: () => undefined, done: () => undefined };

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
const duration = (s: number): string => (!Number.isFinite(s) ? '?' : s < 60 ? `${Math.ceil(s)}s` : `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`);

/** A one-line bar on stderr, redrawn at most ten times a second; nothing at all when stderr is not a terminal. */
function progressBar(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return quiet;
  let last: IngestProgress | undefined;
  let drawnAt = 0;
  const draw = (p: IngestProgress): void => {
    const share = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 1;
    const rate = p.bytesDone / Math.max(0.001, p.elapsedMs / 1000);
    const filled = Math.round(share * 20);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}] ${Math.floor(share * 100)}% · ${p.items} items · ${mb(p.bytesDone)}/${mb(p.bytesTotal)} · ${mb(rate)}/s · ${duration((p.bytesTotal - p.bytesDone) / rate)} left · ${p.file}`;
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(40, (stream.columns || 100) - 1))}`);
    drawnAt = Date.now();
  };
  return {
    update(p) {
      last = p;
      if (Date.now() - drawnAt >= 100) draw(p);
    },
    format(file, format, why) {
      stream.write(`\r\x1b[2K${file}: ${format} (${why})\n`);
      if (last) draw(last);
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}

function human(s: IngestSummary): string {
  const formats = Object.entries(s.formats);
  const byFormat = new Map<string, number>();
  for (const [, f] of formats) byFormat.set(f, (byFormat.get(f) ?? 0) + 1);
  const problem = (p: { file: string; line?: number; reason: string }) => `  ${p.file}${p.line !== undefined ? ` line ${p.line}` : ''}: ${p.reason}`;
  return [
    `ingested ${s.files} file${s.files === 1 ? '' : 's'}, ${s.items} items: ${s.added} added, ${s.updated} updated, ${s.restored} restored, ${s.archived} archived, ${s.unchanged} unchanged (${mb(s.bytes)} in ${(s.ms / 1000).toFixed(1)} s)`,
    formats.length <= 20 ? formats.map(([file, f]) => `  ${file}: ${f}`).join('\n') : `  ${[...byFormat].map(([f, n]) => `${f} ×${n}`).join(', ')}`,
    ...(s.skipped.length ? [`skipped ${s.skipped.length}:`, ...s.skipped.map(problem)] : []),
    ...(s.warnings.length ? [`warnings ${s.warnings.length}:`, ...s.warnings.map(problem)] : []),
  ]
    .filter((l) => l !== '')
    .join('\n');
}

export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('read files and folders (Markdown, text, HTML, RSS/Atom, Claude Code and chat transcripts) into traces of external trust')
    .argument('<paths...>', 'files and folders (folders are read recursively; .git, node_modules and .physarum are skipped)')
    .option('-f, --format <format>', 'auto, markdown, text, html, rss, atom, claude-code or transcript', 'auto')
    .option('--place-prefix <prefix>', 'name file places <prefix>/<path below the folder given> instead of their path in the project')
    .option('--include <glob>', 'only files matching this glob, e.g. "*.md" or "notes/**" (repeatable)', collect, [])
    .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable)', collect, [])
    .action(async (paths: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const bar = progressBar(process.stderr);
        try {
          const summary = await physarum.ingest(
            { paths, format: o.format as FormatChoice, include: o.include, exclude: o.exclude, onProgress: bar.update, onFormat: bar.format, ...(o.placePrefix ? { placePrefix: o.placePrefix } : {}) },
            actor,
          );
          bar.done();
          out.print(summary, () => human(summary));
        } catch (e) {
          bar.done();
          throw e;
        }
      }),
    );
}
