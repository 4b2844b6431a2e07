// CLI commands for the change log, briefings, identity and trails.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collect, int, withStore } from './context.js';
import { eventLine } from './output.js';
import { toEventView } from '../palimpsest/view.js';
import { toTraceView } from '../traces/view.js';
import { toIdentityVersionView, toIdentityView } from '../identity/view.js';
import { toRouteView, toTrailView, toTrailWithTracesView } from '../trails/view.js';
import type { EventType } from '../palimpsest/events.js';
import { isId } from '../ids.js';
import type { IdentityVersion } from '../identity/types.js';
import { invalidInput } from '../errors/index.js';

export function registerPalimpsestCommands(program: Command): void {
  program
    .command('history')
    .description('the change log: of one trace, or of the whole store (newest first)')
    .argument('[id]', 'a trace id')
    .option('--actor <name>', 'only changes by this instance or person')
    .option('--type <type>', 'only this kind of event, e.g. trace.forget (repeatable)', collect, [])
    .option('--before <seq>', 'page back: events before this position', int('before'))
    .option('-n, --limit <n>', 'at most this many', int('limit'), 50)
    .action(async (id: string | undefined, o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const events = await physarum.history({
          limit: o.limit,
          ...(id ? { id } : {}),
          ...(o.actor ? { actor: o.actor } : {}),
          ...(o.type.length ? { type: o.type as EventType[] } : {}),
          ...(o.before !== undefined ? { before: o.before } : {}),
        });
        out.print({ events: events.map(toEventView) }, () => (events.length === 0 ? 'no events' : events.map(eventLine).join('\n')));
      }),
    );

  program
    .command('revert')
    .description('undo one change (by event id from history); the revert is logged too')
    .argument('<event>')
    .requiredOption('-r, --reason <reason>', 'why')
    .action(async (event: string, o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const r = await physarum.revert({ event, reason: o.reason }, actor);
        out.print({ trace: toTraceView(r.trace), event: toEventView(r.event) }, () => `reverted ${event}: ${r.trace.id} is ${r.trace.status}, tags ${r.trace.tags.join(', ') || '(none)'}`);
      }),
    );

  program
    .command('brief')
    .description('the briefing an instance reads: identity first, then the strongest relevant traces, within a token budget')
    .option('-w, --weight <weight>', 'light (~1k tokens), standard (~4k) or deep (~16k)', 'standard')
    .option('-b, --budget <tokens>', 'an exact token budget', int('budget'))
    .option('-f, --focus <query>', 'traces relevant to this')
    .option('--place <place>', 'traces at this place and its parents')
    .action(async (o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const b = await physarum.brief({
          weight: o.weight,
          ...(o.budget !== undefined ? { budget: o.budget } : {}),
          ...(o.focus ? { focus: o.focus } : {}),
          ...(o.place ? { place: o.place } : {}),
        });
        out.print(b, () => b.text);
      }),
    );

  program
    .command('visit')
    .description('record that you (or --instance) are at a place; the move from the previous place reinforces an emergent trail')
    .argument('<place>')
    .action(async (place: string, _o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const r = await physarum.visit({ place }, actor);
        out.print({ place: r.place, edge: r.edge ? toRouteView(r.edge) : null }, () => (r.edge ? `${r.edge.from} → ${r.edge.to} (${r.edge.count}×)` : `at ${r.place}`));
      }),
    );

  const identity = program.command('identity').description('the human-approved identity every briefing starts with');
  identity
    .command('show')
    .description('the approved documents and pending proposals')
    .option('--pending', 'only pending proposals')
    .action(async (o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const view = await physarum.identity();
        const json = toIdentityView(view);
        const shown = o.pending ? { pending: json.pending } : json;
        out.print(shown, () =>
          [
            ...(o.pending ? [] : view.current.map((v) => `## ${v.doc} (v${v.version}, approved by ${v.decidedBy?.name ?? '?'})\n${v.text}\n`)),
            ...view.pending.map(proposalLine),
            view.pending.length === 0 ? 'no pending proposals' : '',
          ].join('\n'),
        );
      }),
    );
  identity
    .command('propose')
    .description('propose a new version of an identity document (a person approves it)')
    .requiredOption('-d, --doc <name>', 'document name, e.g. who-we-are')
    .option('--text <text>', 'the whole proposed document')
    .option('--file <path>', 'read the proposed document from a file')
    .requiredOption('-r, --reason <reason>', 'why it should change')
    .action(async (o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const text = proposedText(o);
        const p = await physarum.proposeIdentity({ doc: o.doc, text, reason: o.reason }, actor);
        out.print(toIdentityVersionView(p), () => `proposed ${p.id} for ${p.doc}; approve with: physarum identity approve ${p.id}`);
      }),
    );
  for (const verb of ['approve', 'reject'] as const) {
    identity
      .command(verb)
      .description(`${verb} a proposal (people only)`)
      .argument('<proposal>', 'proposal id')
      .option('--note <note>', 'a note kept with the decision')
      .option('--force', 'approve even if another version was approved since the proposal was made')
      .action(async (proposal: string, o, cmd: Command) =>
        withStore(cmd, async ({ physarum, actor, out }) => {
          const input = { proposal, force: o.force === true, ...(o.note ? { note: o.note } : {}) };
          const v = verb === 'approve' ? await physarum.approveIdentity(input, actor) : await physarum.rejectIdentity(input, actor);
          out.print(toIdentityVersionView(v), () => `${v.doc}: proposal ${v.id} ${v.status}${v.version ? ` as v${v.version}` : ''}`);
        }),
      );
  }

  const trail = program.command('trail').description('authored trails: named paths through traces and places');
  trail
    .command('create')
    .description('create a trail; each step is a trace id or a place, in order')
    .argument('<name>')
    .argument('<steps...>', 'trace ids and/or places (a path, URL or topic:name)')
    .option('-d, --description <text>', 'what the trail is for', '')
    .action(async (name: string, steps: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const t = await physarum.createTrail(
          {
            name,
            description: o.description,
            steps: steps.map((s) => (s.startsWith('trace:') ? { trace: s.slice(6) } : isId(s) ? { trace: s } : { place: s })),
          },
          actor,
        );
        out.print(toTrailView(t), () => `created trail ${t.name} (${t.steps.length} steps)`);
      }),
    );
  trail
    .command('show')
    .description('a trail with its steps')
    .argument('<name>')
    .action(async (name: string, _o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const t = await physarum.trail(name);
        out.print(toTrailWithTracesView(t), () =>
          [
            `${t.name}${t.description ? `: ${t.description}` : ''}`,
            ...t.steps.map((s, i) => {
              const trace = s.traceId ? t.traces[s.traceId] : undefined;
              const what = s.place ?? (trace ? `${trace.id} ${trace.kind}: ${trace.text.split('\n')[0]}` : `${s.traceId} (missing)`);
              return `${i + 1}. ${what}${s.note ? ` (${s.note})` : ''}`;
            }),
          ].join('\n'),
        );
      }),
    );
  trail
    .command('emergent')
    .description('well-trodden routes: where instances went from place to place, strongest first')
    .option('--from <place>', 'only routes leaving this place')
    .option('--include-faded', 'also routes that faded below the floor')
    .option('-n, --limit <n>', 'at most this many', int('limit'), 20)
    .action(async (o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const r = await physarum.emergentTrails({ limit: o.limit, includeFaded: o.includeFaded === true, ...(o.from ? { from: o.from } : {}) });
        out.print({ from: r.from, routes: r.routes.map(toRouteView) }, () =>
          r.routes.length === 0
            ? 'no routes yet (they form as instances move between places; see `physarum visit`)'
            : r.routes.map((m) => `${m.from} → ${m.to} · ${m.count}× · strength ${m.current.toFixed(2)} · last by ${m.lastInstance}`).join('\n'),
        );
      }),
    );
  trail
    .command('list')
    .description('all authored trails')
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const trails = await physarum.trails();
        out.print({ trails: trails.map(toTrailView) }, () => trails.map((t) => `${t.name} (${t.steps.length} steps)${t.description ? `: ${t.description}` : ''}`).join('\n') || 'no trails');
      }),
    );
}

function proposalLine(p: IdentityVersion): string {
  return `pending ${p.id}: ${p.doc} (against v${p.baseVersion}) by ${p.proposedBy.name} (${p.proposedBy.role}): ${p.reason}\n${p.text}\n`;
}

/** The proposed document: --text, or the contents of --file; exactly one of them. */
function proposedText(o: { text?: string; file?: string }): string {
  if (o.text !== undefined && o.file !== undefined) throw invalidInput('file', 'give the document with --text or with --file, not both');
  if (o.file === undefined) return o.text ?? '';
  try {
    return readFileSync(o.file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e);
    throw invalidInput('file', `cannot read ${JSON.stringify(o.file)} (${reason}); give the path of a text file holding the whole proposed document`);
  }
}
