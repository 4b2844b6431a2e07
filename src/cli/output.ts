// How the CLI prints results: JSON for scripts (--json), short readable text for people.
import type { Trace } from '../traces/schema.js';
import type { PalimpsestEvent } from '../palimpsest/events.js';
import { formatAge } from '../briefing/index.js';

export interface Out {
  json: boolean;
  /** Prints `value` as JSON with --json, else `human()` (skipped when it returns undefined). */
  print(value: unknown, human?: () => string | undefined): void;
}

export function makeOut(json: boolean, write: (s: string) => void = (s) => process.stdout.write(s)): Out {
  return {
    json,
    print(value, human) {
      if (json) write(`${JSON.stringify(value, null, 2)}\n`);
      else {
        const text = human ? human() : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
        if (text !== undefined && text !== '') write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
  };
}

export function traceLine(t: Trace, now: number, extra = ''): string {
  const where = t.places.length > 0 ? ` · ${t.places.join(', ')}` : '';
  const tags = t.tags.length > 0 ? ` · #${t.tags.join(' #')}` : '';
  const status = t.status === 'live' ? '' : ` · ${t.status}`;
  const head = `${t.id} ${t.kind}${where}${tags} · ${t.author.name} · ${formatAge(now - t.createdAt)}${status}${extra}`;
  const body = t.text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `${head}\n${body}`;
}

export function eventLine(e: PalimpsestEvent): string {
  const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
  const what = e.traceId ?? e.subject ?? '';
  const why = e.reason ? ` · why: ${e.reason}` : '';
  return `#${e.seq} ${when} ${e.type} ${what} · by ${e.actor.name} (${e.actor.role})${why} · event ${e.id}`;
}
