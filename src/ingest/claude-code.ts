// Claude Code session transcripts (JSONL, one event per line), streamed: the person's prompts and the assistant's
// turns become pieces, each tool call one line (tool, target, outcome), touched files their places, and the
// session's own timestamps their times. A last piece sums the session up.
import { isAbsolute, relative, resolve } from 'node:path';
import { type DecodeNotes, readLines } from './decode.js';
import { Splitter, locatorOf } from './split.js';
import type { ParseContext, Piece } from './types.js';

type Block = { type?: unknown; text?: unknown; name?: unknown; id?: unknown; input?: unknown; tool_use_id?: unknown; content?: unknown; is_error?: unknown };

interface ToolEntry {
  kind: 'tool';
  id: string;
  name: string;
  target: string;
  file?: string;
  outcome?: string;
  line: number;
  at?: number;
}
type Entry = { kind: 'text'; text: string; line: number; at?: number } | ToolEntry;

interface Turn {
  key: string;
  speaker: 'user' | 'assistant';
  entries: Entry[];
  chars: number;
  splitter: Splitter;
  lastWasTool: boolean;
}

const FILE_TOOLS = new Set(['Read', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'NotebookRead']);
const oneLine = (s: string, max = 120): string => {
  const first = s.replace(/\s+/gu, ' ').trim();
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** What a tool call was about: the file it touched, or its command, pattern, URL or description. */
export function describeTool(name: string, input: unknown, cwd: string | undefined): { target: string; file?: string } {
  const i = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const path = str(i['file_path']) ?? str(i['notebook_path']);
  if (path !== undefined && FILE_TOOLS.has(name)) {
    const abs = isAbsolute(path) || cwd === undefined ? path : resolve(cwd, path);
    const shown = cwd !== undefined && abs.startsWith(`${cwd}/`) ? relative(cwd, abs) : abs;
    return { target: shown, file: abs };
  }
  const target =
    str(i['command']) ??
    (str(i['pattern']) !== undefined ? `${str(i['pattern'])}${str(i['path']) ? ` in ${str(i['path'])}` : ''}` : undefined) ??
    str(i['url']) ??
    str(i['query']) ??
    str(i['description']) ??
    (Array.isArray(i['todos']) ? `${i['todos'].length} todos` : undefined) ??
    path ??
    Object.values(i).find((v): v is string => typeof v === 'string') ??
    '';
  return { target: oneLine(target) };
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: Block) => (typeof b?.text === 'string' ? b.text : '')).join('\n');
  return '';
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const toolLine = (t: ToolEntry): string => `${t.name}${t.target ? ` ${t.target}` : ''} → ${t.outcome ?? 'no result'}`;

export async function* parseClaudeCode(ctx: ParseContext, notes: DecodeNotes): AsyncGenerator<Piece> {
  const out: Piece[] = [];
  const pending = new Map<string, ToolEntry>();
  const files = new Set<string>();
  const session = { id: '', cwd: '', branch: '', title: '', first: undefined as number | undefined, last: undefined as number | undefined, prompts: 0, replies: 0, tools: 0, failed: 0 };
  let turn: Turn | undefined;

  const emitPiece = (t: Turn, cut: Parameters<ConstructorParameters<typeof Splitter>[0]>[0]): void => {
    out.push({
      locator: locatorOf(t.key, cut),
      text: cut.text,
      places: [ctx.place, ...cut.places].slice(0, 32),
      ...(cut.at !== undefined ? { at: cut.at } : {}),
      meta: {
        speaker: t.speaker,
        uuid: t.key,
        ...(session.id ? { sessionId: session.id } : {}),
        ...(session.cwd ? { cwd: session.cwd } : {}),
        lines: `L${cut.start}-L${cut.end}`,
      },
      line: cut.start,
    });
  };
  // Moves entries into the splitter; a tool call waits for its outcome unless the turn is over.
  const drain = (t: Turn, all: boolean): void => {
    while (t.entries.length > 0) {
      const e = t.entries[0];
      if (!e || (!all && e.kind === 'tool' && e.outcome === undefined)) break;
      t.entries.shift();
      if (e.kind === 'text') {
        t.splitter.paragraph(e.text, { start: e.line, ...(e.at !== undefined ? { at: e.at } : {}) });
        t.lastWasTool = false;
      } else {
        t.splitter.paragraph(toolLine(e), { start: e.line, sep: t.lastWasTool ? '\n' : '\n\n', ...(e.file ? { places: [e.file] } : {}), ...(e.at !== undefined ? { at: e.at } : {}) });
        t.lastWasTool = true;
        pending.delete(e.id);
      }
    }
    t.chars = t.entries.reduce((n, e) => n + (e.kind === 'text' ? e.text.length : 100), 0);
  };
  const endTurn = (): void => {
    if (!turn) return;
    drain(turn, true);
    turn.splitter.end();
    turn = undefined;
  };
  const openTurn = (speaker: Turn['speaker'], key: string): Turn => {
    endTurn();
    const t: Turn = { key, speaker, entries: [], chars: 0, lastWasTool: false, splitter: new Splitter((cut) => emitPiece(t, cut)) };
    turn = t;
    return t;
  };

  for await (const l of readLines(ctx.path, notes, (n) => ctx.onBytes(n))) {
    if (l.text.trim() === '') continue;
    let event: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(l.text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        ctx.skip({ line: l.no, reason: 'not a JSON object' });
        continue;
      }
      event = parsed as Record<string, unknown>;
    } catch (e) {
      ctx.skip({ line: l.no, reason: `not valid JSON (${e instanceof Error ? e.message : String(e)})` });
      continue;
    }
    const type = event['type'];
    if (type === 'summary' && typeof event['summary'] === 'string') session.title ||= event['summary'];
    if (type !== 'user' && type !== 'assistant') continue;
    session.id ||= str(event['sessionId']) ?? '';
    session.cwd ||= str(event['cwd']) ?? '';
    session.branch ||= str(event['gitBranch']) ?? '';
    const at = Date.parse(String(event['timestamp'] ?? ''));
    const when = Number.isFinite(at) && at >= 0 ? at : undefined;
    if (when !== undefined) {
      session.first ??= when;
      session.last = when;
    }
    const uuid = str(event['uuid']) ?? `line-${l.no}`;
    const cwd = str(event['cwd']) ?? (session.cwd || undefined);
    const message = (event['message'] ?? {}) as { content?: unknown };
    const blocks: Block[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? (message.content as Block[]) : [];
    const stamp = when !== undefined ? { at: when } : {};

    if (type === 'user') {
      for (const b of blocks) {
        if (b?.type !== 'tool_result') continue;
        const t = pending.get(String(b.tool_use_id ?? ''));
        if (!t) continue;
        const failed = b.is_error === true;
        t.outcome = failed ? `error: ${oneLine(resultText(b.content), 100) || 'failed'}` : 'ok';
        if (failed) session.failed++;
      }
      const texts = blocks.filter((b) => b?.type === 'text' && typeof b.text === 'string' && b.text.trim() !== '').map((b) => String(b.text));
      const images = blocks.filter((b) => b?.type === 'image').length;
      if (event['isMeta'] === true || (texts.length === 0 && images === 0)) {
        if (turn) drain(turn, false);
      } else {
        session.prompts++;
        const t = openTurn('user', uuid);
        for (const text of texts) t.entries.push({ kind: 'text', text, line: l.no, ...stamp });
        if (images > 0) t.entries.push({ kind: 'text', text: `[${images} image${images > 1 ? 's' : ''}]`, line: l.no, ...stamp });
      }
    } else {
      if (turn?.speaker !== 'assistant') session.replies++;
      const t = turn?.speaker === 'assistant' ? turn : openTurn('assistant', uuid);
      for (const b of blocks) {
        if (b?.type === 'text' && typeof b.text === 'string' && b.text.trim() !== '') t.entries.push({ kind: 'text', text: b.text, line: l.no, ...stamp });
        else if (b?.type === 'tool_use' && typeof b.name === 'string') {
          const d = describeTool(b.name, b.input, cwd);
          const entry: ToolEntry = { kind: 'tool', id: String(b.id ?? `${uuid}-${t.entries.length}`), name: b.name, target: d.target, line: l.no, ...stamp, ...(d.file ? { file: d.file } : {}) };
          t.entries.push(entry);
          pending.set(entry.id, entry);
          session.tools++;
          if (d.file) files.add(d.file);
        }
        // Thinking blocks are the model's scratch work: not kept.
      }
    }
    if (turn) {
      turn.chars = turn.entries.reduce((n, e) => n + (e.kind === 'text' ? e.text.length : 100), 0);
      if (turn.chars > 64 * 1024) drain(turn, false);
    }
    if (out.length > 0) yield* out.splice(0);
  }
  endTurn();
  yield* out.splice(0);

  if (session.prompts + session.replies === 0) return;
  const range = (t: number | undefined): string => (t === undefined ? '?' : new Date(t).toISOString().replace('T', ' ').slice(0, 16));
  const shown = [...files].map((f) => (session.cwd && f.startsWith(`${session.cwd}/`) ? relative(session.cwd, f) : f));
  const text = [
    `Claude Code session${session.id ? ` ${session.id}` : ''}${session.title ? `: ${session.title}` : ''}`,
    `${session.cwd ? `in ${session.cwd}` : ''}${session.branch ? ` on ${session.branch}` : ''}, ${range(session.first)} to ${range(session.last)} UTC`.trim(),
    `${count(session.prompts, 'prompt')}, ${count(session.replies, 'assistant turn')}, ${count(session.tools, 'tool call')} (${session.failed} failed)`,
    ...(shown.length > 0 ? [`Files touched: ${shown.slice(0, 50).join(', ')}${shown.length > 50 ? ` and ${shown.length - 50} more` : ''}`] : []),
  ].join('\n');
  yield {
    locator: 'session',
    text,
    places: [ctx.place, ...files].slice(0, 32),
    ...(session.first !== undefined ? { at: session.first } : {}),
    meta: { speaker: 'summary', ...(session.id ? { sessionId: session.id } : {}), ...(session.cwd ? { cwd: session.cwd } : {}), files: files.size, tools: session.tools },
  };
}
