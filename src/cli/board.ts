// CLI commands for coordination (board, claim, release, message, messages, checkin, handoff) and store care (doctor, backup).
import type { Command } from 'commander';
import { collect, withStore, type GlobalOptions } from './context.js';
import { formatAge } from '../briefing/index.js';
import { PhysarumError } from '../errors/index.js';
import { locateStore, openPhysarum } from '../open.js';
import { makeOut } from './output.js';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { toTraceView } from '../traces/view.js';
import { toBoardView, toClaimView, toHandoffView, toMessageView } from '../board/view.js';

export function registerBoardCommands(program: Command): void {
  program
    .command('board')
    .description('what is happening now: instances, live claims, recent messages and handoffs')
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const b = await physarum.board();
        const ago = (t: number) => formatAge(b.now - t);
        out.print(toBoardView(b), () =>
          [
            'Instances:',
            ...(b.instances.length ? b.instances.map((i) => `  ${i.name}${i.model ? ` (${i.model})` : ''} · ${i.status} · seen ${ago(i.lastSeenAt)}${i.places.length ? ` · at ${i.places.join(', ')}` : ''}${i.lastCheckIn ? `\n      ${i.lastCheckIn.replace(/\n/gu, ' · ')}` : ''}`) : ['  (none)']),
            'Claims:',
            ...(b.claims.length ? b.claims.map((c) => `  ${c.target} · ${c.holder} · ${Math.ceil((c.expiresAt - b.now) / 60_000)}m left${c.note ? ` · ${c.note}` : ''}`) : ['  (none)']),
            'Messages:',
            ...(b.messages.length ? b.messages.map((m) => `  ${m.from.name} → ${m.to ?? 'everyone'} · ${ago(m.createdAt)}: ${m.text}`) : ['  (none)']),
            'Handoffs:',
            ...(b.handoffs.length ? b.handoffs.map((h) => `  ${h.instance} · ${ago(h.createdAt)}: ${h.summary.split('\n')[0]}`) : ['  (none)']),
          ].join('\n'),
        );
      }),
    );

  program
    .command('claim')
    .description('take a lease on a place or a named task (renews your own claim)')
    .argument('[place]', 'a path, URL or topic:name')
    .option('--task <name>', 'claim a named task instead of a place')
    .option('--lease <duration>', 'how long, e.g. 15m, 2h (default 15m)')
    .option('--note <text>', 'what you are doing there')
    .action(async (place: string | undefined, o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const r = await physarum.claim({ ...(place ? { place } : {}), ...(o.task ? { task: o.task } : {}), ...(o.lease ? { lease: o.lease } : {}), ...(o.note ? { note: o.note } : {}) }, actor);
        const claim = toClaimView(r.claim);
        out.print({ claim, renewed: r.renewed }, () => `${r.renewed ? 'renewed' : 'claimed'} ${claim.target} until ${claim.expiresAt}`);
      }),
    );

  program
    .command('release')
    .description('release a claim (yours; a person may release anyone\'s)')
    .argument('[place]', 'the claimed place')
    .option('--task <name>', 'the claimed task')
    .option('--id <claim>', 'the claim id')
    .action(async (place: string | undefined, o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const c = await physarum.release({ ...(place ? { place } : {}), ...(o.task ? { task: o.task } : {}), ...(o.id ? { id: o.id } : {}) }, actor);
        out.print(toClaimView(c), () => `released ${c.target}`);
      }),
    );

  program
    .command('message')
    .description('post a message to everyone, or to one instance with --to')
    .argument('<text...>')
    .option('--to <instance>', 'the instance it is for')
    .action(async (parts: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const m = await physarum.postMessage({ text: parts.join(' '), ...(o.to ? { to: o.to } : {}) }, actor);
        out.print(toMessageView(m), () => `posted ${m.id} to ${m.to ?? 'everyone'}`);
      }),
    );

  program
    .command('messages')
    .description('read your unread messages (marks them read)')
    .option('--all', 'include messages already read')
    .option('--peek', 'do not mark them read')
    .action(async (o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const messages = await physarum.readMessages({ unreadOnly: o.all !== true, peek: o.peek === true }, actor);
        out.print({ messages: messages.map(toMessageView) }, () => (messages.length ? messages.map((m) => `${m.from.name} → ${m.to ?? 'everyone'}: ${m.text}`).join('\n') : 'no unread messages'));
      }),
    );

  program
    .command('checkin')
    .description('a short status at a pause, kept as a trace at your current places')
    .option('--done <text>', 'what was done')
    .option('--next <text>', 'what comes next')
    .option('-p, --place <place>', 'where you are working (repeatable; replaces the previous set)', collect, [])
    .action(async (o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const r = await physarum.checkIn({ ...(o.done ? { done: o.done } : {}), ...(o.next ? { next: o.next } : {}), ...(o.place.length ? { places: o.place } : {}) }, actor);
        out.print({ id: r.trace.id, trace: toTraceView(r.trace) }, () => `checked in (${r.trace.id})`);
      }),
    );

  program
    .command('handoff')
    .description('leave a handoff for whoever comes next (ends your instance and releases its claims unless --keep-going)')
    .argument('<summary...>')
    .option('--open <thread>', 'an open thread (repeatable)', collect, [])
    .option('--trace <id>', 'a trace worth reading (repeatable)', collect, [])
    .option('--trail <name>', 'a trail worth following (repeatable)', collect, [])
    .option('--keep-going', 'do not end the instance')
    .action(async (parts: string[], o, cmd: Command) =>
      withStore(cmd, async ({ physarum, actor, out }) => {
        const h = await physarum.writeHandoff({ summary: parts.join(' '), openThreads: o.open, traces: o.trace, trails: o.trail, end: o.keepGoing !== true }, actor);
        out.print(toHandoffView(h), () => `handoff ${h.id} written`);
      }),
    );

  program
    .command('doctor')
    .description('check the store\'s integrity and say how to recover')
    .action(async (_o, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const out = makeOut(g.json === true);
      const located = locateStore(g.store ? { store: g.store } : {});
      // Opening creates a missing store; a doctor must not "heal" a mistyped path into an empty one.
      if (!existsSync(located.path)) {
        throw new PhysarumError('NOT_FOUND', `there is no store at ${located.path} (found by ${located.how}); check --store or $PHYSARUM_STORE.`);
      }
      let physarum;
      try {
        physarum = await openPhysarum({ store: located.path });
      } catch (e) {
        if (e instanceof PhysarumError && e.code === 'STORAGE_CORRUPT') {
          throw new PhysarumError('STORAGE_CORRUPT', `${located.path} cannot be opened: it is damaged or not a Physarum store. ${recoverySteps(located.path)}`, { cause: e });
        }
        throw e;
      }
      try {
        const checks = await physarum.storage.check();
        const ok = checks.every((c) => c.ok);
        out.print({ ok, store: located.path, checks }, () =>
          [
            ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok ? '' : `: ${c.detail}`}`),
            ok ? `${located.path} is healthy` : `Problems found. ${recoverySteps(located.path)}`,
          ].join('\n'),
        );
        if (!ok) throw new PhysarumError('STORAGE_CORRUPT', `integrity checks failed for ${located.path}; the steps to recover are above`);
      } finally {
        await physarum.close();
      }
    });

  program
    .command('backup')
    .description('write a consistent copy of the store to a file, while writers keep running')
    .argument('<file>')
    .action(async (file: string, _o, cmd: Command) =>
      withStore(cmd, async ({ physarum, out }) => {
        const dest = resolve(file);
        const r = await physarum.storage.backup(dest);
        out.print({ file: dest, bytes: r.bytes }, () => `backed up to ${dest} (${(r.bytes / 1024).toFixed(0)} KiB)`);
      }),
    );
}

/** What to do with a damaged store, in order. */
function recoverySteps(path: string): string {
  return (
    `To recover: stop every process using it; keep the damaged file (cp ${path} ${path}.damaged); then restore the latest \`physarum backup\` copy ` +
    `(cp backup.db ${path}), or salvage what is readable with \`sqlite3 ${path} .recover | sqlite3 recovered.db\` and point --store at recovered.db. ` +
    'Keep the damaged file until you have checked the result.'
  );
}
