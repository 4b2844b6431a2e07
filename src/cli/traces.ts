// CLI commands for traces: deposit, show, sense, search, follow, annotate, retag, archive, restore, forget.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collect, int, withStore } from './context.js';
import { traceLine } from './output.js';
import { toAnnotationView, toTraceView, toTraceWithAnnotationsView } from '../traces/view.js';
import type { TraceKind, Trust } from '../traces/schema.js';
import type { SearchInput } from '../search/index.js';

/** Text from the arguments, or from stdin when the only argument is "-" (without the line end `echo` adds). */
function textArg(parts: string[]): string {
  return parts.length === 1 && parts[0] === '-' ? readFileSync(0, 'utf8').replace(/\r?\n$/u, '') : parts.join(' ');
}

export function registerTraceCommands(program: Command): void {
  program
    .command('deposit')
    .description('leave a trace (text from the arguments, or "-" to read stdin)')
    .argument('<text...>', 'the note')
    .option('-k, --kind <kind>', 'note, insight, question, decision, warning, todo or instruction', 'note')
    .option('-p, --place <place>', 'where it belongs: a path, URL or topic:name (repeatable)', collect, [])
    .option('-t, --tag <tag>', 'a tag (repeatable)', collect, [])
    .option('--trust <trust>', 'human, agent or external (default: human at the CLI)')
    .option('--source <source>', 'human, agent or ingest:<uri>')
    .option('--at <time>', 'when it was noted (ISO 8601); default now')
    .action(async (parts: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const r = await physarum.deposit(
          {
            text: textArg(parts),
            kind: o.kind as TraceKind,
            places: o.place,
            tags: o.tag,
            ...(o.trust ? { trust: o.trust as Trust } : {}),
            ...(o.source ? { source: o.source } : {}),
            ...(o.at ? { at: o.at } : {}),
          },
          actor,
        );
        out.print({ id: r.trace.id, deduplicated: r.deduplicated, redactions: r.redactions, trace: toTraceView(r.trace) }, () =>
          [
            `${r.deduplicated ? 'reinforced existing' : 'deposited'} ${r.trace.id}`,
            ...r.redactions.map((x) => `redacted ${x.count} ${x.kind}`),
          ].join('\n'),
        );
      }),
    );

  program
    .command('show')
    .description('show one trace with its annotations')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const r = await physarum.get(id);
        const now = physarum.ctx.clock.now();
        out.print(toTraceWithAnnotationsView(r), () =>
          [
            traceLine(r.trace, now, ` · v${r.trace.version} · trust ${r.trace.trust} · source ${r.trace.source}`),
            ...r.annotations.map((a) => `  ${a.stance} by ${a.author.name}: ${a.text}`),
          ].join('\n'),
        );
      }),
    );

  program
    .command('sense')
    .description('the traces at a place, strongest first')
    .argument('<place>', 'a path, URL or topic:name')
    .option('--parents', 'also traces at parent folders, URL paths or topics')
    .option('--include-faded', 'also traces that faded below the floor')
    .option('-n, --limit <n>', 'at most this many', int('limit'), 20)
    .action(async (place: string, o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const r = await physarum.sense({ place, parents: o.parents === true, includeFaded: o.includeFaded === true, limit: o.limit });
        const now = physarum.ctx.clock.now();
        out.print(
          { place: r.place, next: r.next, results: r.results.map((x) => ({ ...toTraceView(x.trace), score: x.score, currentStrength: x.strength, at: x.at })) },
          () =>
            [
              r.results.length === 0 ? `no traces at ${r.place}` : r.results.map((x) => traceLine(x.trace, now, ` · strength ${x.strength.toFixed(2)}`)).join('\n'),
              ...(r.next.length ? [`instances who worked here went on to: ${r.next.map((n) => `${n.place} (×${n.count})`).join(', ')}`] : []),
            ].join('\n'),
        );
      }),
    );

  program
    .command('search')
    .description('full-text search ranked with strength; shows why each result ranked where it did')
    .argument('<query...>')
    .option('--place <place>', 'only traces at or below this place')
    .option('-k, --kind <kind>', 'only this kind (repeatable)', collect, [])
    .option('-t, --tag <tag>', 'only traces with this tag (repeatable)', collect, [])
    .option('--author <name>', 'only traces by this author')
    .option('--since <when>', 'only traces since a date (2026-01-31) or for a duration back (7d)')
    .option('--status <status>', 'live (default), archived or forgotten (repeatable)', collect, [])
    .option('-n, --limit <n>', 'at most this many', int('limit'), 10)
    .action(async (parts: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const input: SearchInput = {
          query: parts.join(' '),
          limit: o.limit,
          ...(o.place ? { place: o.place } : {}),
          ...(o.kind.length ? { kind: o.kind } : {}),
          ...(o.tag.length ? { tag: o.tag } : {}),
          ...(o.author ? { author: o.author } : {}),
          ...(o.since ? { since: o.since } : {}),
          ...(o.status.length ? { status: o.status } : {}),
        };
        const r = await physarum.search(input);
        const now = physarum.ctx.clock.now();
        out.print(
          { terms: r.terms, results: r.results.map((x) => ({ ...toTraceView(x.trace), score: x.score, parts: x.parts })) },
          () =>
            r.results.length === 0
              ? 'no matches'
              : r.results
                  .map((x) =>
                    traceLine(
                      x.trace,
                      now,
                      ` · score ${x.score.toFixed(3)} (relevance ${x.parts.relevance.toFixed(3)} + context ${x.parts.context.toFixed(3)} + author ${x.parts.author.toFixed(1)} + strength ${x.parts.strengthBonus.toFixed(3)})`,
                    ),
                  )
                  .join('\n'),
        );
      }),
    );

  program
    .command('follow')
    .description('say a trace helped: it grows stronger')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const t = await physarum.follow({ id }, actor);
        out.print(toTraceView(t), () => `followed ${t.id}: strength ${t.strength.toFixed(2)}, ${t.follows} follows`);
      }),
    );

  program
    .command('annotate')
    .description("endorse, challenge or comment on another trace's reading")
    .argument('<id>')
    .argument('<text...>')
    .option('-s, --stance <stance>', 'endorse, challenge or note', 'note')
    .action(async (id: string, parts: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const r = await physarum.annotate({ id, stance: o.stance, text: textArg(parts) }, actor);
        out.print({ annotation: toAnnotationView(r.annotation), trace: toTraceView(r.trace) }, () => `${r.annotation.stance} ${r.annotation.id} on ${id}`);
      }),
    );

  program
    .command('retag')
    .description('change tags or places of a trace, with a reason')
    .argument('<id>')
    .requiredOption('-r, --reason <reason>', 'why (kept in the history)')
    .option('--add <tag>', 'add a tag (repeatable)', collect, [])
    .option('--remove <tag>', 'remove a tag (repeatable)', collect, [])
    .option('--add-place <place>', 'add a place (repeatable)', collect, [])
    .option('--remove-place <place>', 'remove a place (repeatable)', collect, [])
    .option('--expected-version <n>', 'fail with CONFLICT if the trace changed since this version', int('expected-version'))
    .action(async (id: string, o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const t = await physarum.retag(
          {
            id,
            reason: o.reason,
            addTags: o.add,
            removeTags: o.remove,
            addPlaces: o.addPlace,
            removePlaces: o.removePlace,
            ...(o.expectedVersion !== undefined ? { expectedVersion: o.expectedVersion } : {}),
          },
          actor,
        );
        out.print(toTraceView(t), () => `${t.id} v${t.version}: tags ${t.tags.join(', ') || '(none)'}; places ${t.places.join(', ') || '(none)'}`);
      }),
    );

  for (const [name, description] of [
    ['archive', 'take a trace out of briefings and default search (it stays, and can be restored)'],
    ['restore', 'bring an archived trace back'],
    ['forget', 'erase a trace\'s text for good; a tombstone with your reason stays'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<id>')
      .requiredOption('-r, --reason <reason>', 'why (kept in the history)')
      .action(async (id: string, o, cmd: Command) =>
        withStore(cmd, async ({ physarum, actor, out }) => {
          const input = { id, reason: o.reason as string };
          const trace =
            name === 'forget' ? await physarum.forget(input, actor) : (await (name === 'archive' ? physarum.archive(input, actor) : physarum.restore(input, actor))).trace;
          out.print(toTraceView(trace), () => `${trace.id} is ${trace.status}`);
        }),
      );
  }
}
