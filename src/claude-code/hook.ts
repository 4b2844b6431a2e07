// `physarum hook <event>`: Claude Code's hooks. Briefs at start, surfaces traces where the agent goes, records
// movement as emergent trails, and asks for a handoff before the context or the session runs out.
// Never harms the agent: any failure exits 0 with one line on stderr, and stdout carries only Claude Code's JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openPhysarum, locateStore } from '../open.js';
import type { Physarum } from '../physarum.js';
import type { Actor } from '../traces/schema.js';
import { estimateTokens } from '../briefing/tokens.js';
import { renderTrace } from '../briefing/index.js';
import { oneLine } from '../briefing/quote.js';
import { PATH_TOOLS, type HookPayload, parsePayload } from './payload.js';

/** Token budget of what PreToolUse adds for one place. */
export const PLACE_BUDGET = 400;
/** Edits after which Stop asks (once) for a handoff. */
export const HANDOFF_AFTER_EDITS = 3;

interface SessionState {
  /** Places already surfaced this session (surfaced once per place). */
  seen: string[];
  edits: number;
  visited: string[];
  handoffAsked: boolean;
  /** Handoffs this hook wrote itself, so they are not mistaken for the agent's own. */
  autoHandoffs: string[];
}

export function instanceName(sessionId: string): string {
  return `claude-${sessionId.replace(/[^\w-]/gu, '').slice(0, 8) || 'session'}`;
}

function statePath(storePath: string, sessionId: string): string {
  return join(dirname(storePath), 'sessions', `${sessionId.replace(/[^\w-]/gu, '_').slice(0, 80)}.json`);
}

function loadState(path: string): SessionState {
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Partial<SessionState>;
    return { seen: s.seen ?? [], edits: s.edits ?? 0, visited: s.visited ?? [], handoffAsked: s.handoffAsked ?? false, autoHandoffs: s.autoHandoffs ?? [] };
  } catch {
    return { seen: [], edits: 0, visited: [], handoffAsked: false, autoHandoffs: [] };
  }
}

function saveState(path: string, state: SessionState): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state));
}

/** What Claude Code reads from stdout: added context, or a request to keep going. */
export type HookOutput =
  | { hookSpecificOutput: { hookEventName: 'SessionStart' | 'PreToolUse' | 'PostToolUse'; additionalContext: string } }
  | { decision: 'block'; reason: string }
  | null;

function context(event: 'SessionStart' | 'PreToolUse' | 'PostToolUse', text: string): HookOutput {
  return { hookSpecificOutput: { hookEventName: event, additionalContext: text } };
}

async function placeContext(physarum: Physarum, path: string): Promise<{ place: string; text: string } | null> {
  const sensed = await physarum.sense({ place: path, parents: true, limit: 8 });
  if (sensed.results.length === 0 && sensed.next.length === 0) return { place: sensed.place, text: '' };
  const config = await physarum.strengthConfig();
  const now = physarum.ctx.clock.now();
  const lines = [`Physarum: traces left at ${oneLine(sensed.place, 160)} (strongest first; follow_trace the ones that help):`];
  let used = estimateTokens(lines[0] ?? '');
  for (const r of sensed.results) {
    const entry = renderTrace(r.trace, now, config);
    const cost = estimateTokens(`\n${entry}`);
    if (used + cost > PLACE_BUDGET) break;
    lines.push(entry);
    used += cost;
  }
  if (sensed.next.length > 0) {
    const routes = `Instances who worked here went on to: ${sensed.next.map((n) => `${oneLine(n.place, 100)} (${n.count}×)`).join(', ')}`;
    if (used + estimateTokens(`\n${routes}`) <= PLACE_BUDGET) lines.push(routes);
  }
  return { place: sensed.place, text: lines.length > 1 ? lines.join('\n') : '' };
}

async function autoHandoff(physarum: Physarum, actor: Actor, file: string, why: string, end: boolean): Promise<void> {
  const state = loadState(file);
  const places = state.visited.slice(-12);
  const summary = `${why} The session worked at ${places.length ? places.join(', ') : 'no recorded places'} (${state.edits} edits).`;
  const h = await physarum.writeHandoff({ summary, end }, actor);
  state.autoHandoffs.push(h.id);
  saveState(file, state);
}

/** Whether the agent itself (not this hook) wrote a handoff since `since`. */
async function wroteHandoff(physarum: Physarum, actor: Actor, since: number, state: SessionState): Promise<boolean> {
  const recent = await physarum.storage.read((r) => r.latestHandoffs(50));
  return recent.some((h) => h.instance === actor.name && h.createdAt >= since && !state.autoHandoffs.includes(h.id));
}

export async function handleHook(p: HookPayload, env: NodeJS.ProcessEnv = process.env): Promise<HookOutput> {
  const cwd = env['CLAUDE_PROJECT_DIR'] ?? p.cwd ?? process.cwd();
  const located = locateStore({ cwd, env });
  const physarum = await openPhysarum({ store: located.path, cwd, env });
  const actor: Actor = { name: instanceName(p.sessionId), role: 'agent', ...(p.model ? { model: p.model } : { model: 'claude-code' }) };
  const sessionFile = statePath(located.path, p.sessionId);
  try {
    switch (p.event) {
      case 'SessionStart': {
        const r = await physarum.register({ name: actor.name, project: cwd, ...(p.model ? { model: p.model } : {}) }, actor, { weight: 'standard' });
        const intro = `You are Physarum instance ${actor.name}. Leave traces with deposit_trace where you work, follow_trace what helps, and write_handoff before you stop.`;
        return context('SessionStart', `${intro}\n\n${r.briefing.text}`);
      }
      case 'PreToolUse': {
        if (!p.toolName || !(p.toolName in PATH_TOOLS) || !p.path) return null;
        const state = loadState(sessionFile);
        const found = await placeContext(physarum, p.path);
        if (!found || state.seen.includes(found.place)) return null;
        state.seen.push(found.place);
        saveState(sessionFile, state);
        return found.text ? context('PreToolUse', found.text) : null;
      }
      case 'PostToolUse': {
        const tool = p.toolName ? PATH_TOOLS[p.toolName] : undefined;
        if (!tool || !p.path) return null;
        // Only where the agent went is recorded, never what the file holds.
        const { place } = await physarum.visit({ place: p.path }, actor);
        const state = loadState(sessionFile);
        if (tool.edits) state.edits += 1;
        if (state.visited[state.visited.length - 1] !== place) state.visited.push(place);
        saveState(sessionFile, state);
        return null;
      }
      case 'PreCompact': {
        await autoHandoff(physarum, actor, sessionFile, 'Automatic checkpoint before the context was compacted.', false);
        return null;
      }
      case 'Stop': {
        if (p.stopHookActive || env['PHYSARUM_HANDOFF_PROMPT'] === 'off') return null;
        const state = loadState(sessionFile);
        if (state.handoffAsked || state.edits < HANDOFF_AFTER_EDITS) return null;
        state.handoffAsked = true;
        saveState(sessionFile, state);
        const instance = (await physarum.instances()).find((i) => i.name === actor.name);
        if (await wroteHandoff(physarum, actor, instance?.registeredAt ?? 0, state)) return null;
        return {
          decision: 'block',
          reason:
            'Physarum: before stopping, leave a handoff for the next instance: call write_handoff with a short summary, the open threads, and the ids of traces that matter (end: false if the session continues). Then stop.',
        };
      }
      case 'SessionEnd': {
        const instance = (await physarum.instances()).find((i) => i.name === actor.name);
        if (!(await wroteHandoff(physarum, actor, instance?.registeredAt ?? 0, loadState(sessionFile)))) {
          await autoHandoff(physarum, actor, sessionFile, 'The session ended without a handoff of its own.', true);
        }
        return null;
      }
    }
  } finally {
    await physarum.close();
  }
}

/** Entry point for `physarum hook <event>`: reads stdin, answers on stdout, and always exits 0. */
export async function runHook(eventArg: string | undefined, input: string, write: (s: string) => void, warn: (s: string) => void): Promise<number> {
  try {
    const payload = parsePayload(input, eventArg ?? '');
    const out = await handleHook(payload);
    if (out) write(`${JSON.stringify(out)}\n`);
  } catch (e) {
    // Never harm the agent: one line on stderr, exit 0, nothing on stdout.
    warn(`physarum hook: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
  return 0;
}
