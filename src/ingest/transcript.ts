// Plain-text chat transcripts, streamed: turns marked by `User:` / `Human:` / `Assistant:`-style labels, or by a
// `> ` prompt line for the person (as terminal exports of Claude Code sessions show them); one turn, one or more pieces.
import { type DecodeNotes, readLines } from './decode.js';
import { Splitter, locatorOf } from './split.js';
import type { ParseContext, Piece } from './types.js';

const LABEL = /^[ \t]{0,3}(?:\*\*)?(user|human|assistant|ai|claude|system)(?:\*\*)?[ \t]*:(?:\*\*)?[ \t]?(.*)$/iu;
const PROMPT = /^>[ \t]?(.*)$/u;
// Markers terminal exports put before the assistant's output and thinking.
const ASSISTANT_MARK = /^(?:⏺|●|✻|⎿)/u;

const ROLE: Record<string, 'user' | 'assistant' | 'system'> = { user: 'user', human: 'user', assistant: 'assistant', ai: 'assistant', claude: 'assistant', system: 'system' };

/** How many turns the start of a text shows, by labels and by prompt lines; for format detection. */
export function countTurns(sample: string): { labels: number; speakers: number; prompts: number } {
  let labels = 0;
  let prompts = 0;
  const speakers = new Set<string>();
  let prevBlank = true;
  for (const line of sample.split(/\r?\n/u)) {
    const label = LABEL.exec(line);
    if (label) {
      labels++;
      speakers.add(ROLE[(label[1] ?? '').toLowerCase()] ?? '');
    }
    if (/^> \S/u.test(line) && prevBlank) prompts++;
    prevBlank = line.trim() === '';
  }
  return { labels, speakers: speakers.size, prompts };
}

interface Turn {
  n: number;
  speaker: string;
  role: string;
  splitter: Splitter;
}

export async function* parseTranscript(ctx: ParseContext, notes: DecodeNotes): AsyncGenerator<Piece> {
  const out: Piece[] = [];
  let turn: Turn | undefined;
  let count = 0;
  let prevPrompt = false;
  // Decided by the first marker seen: labelled turns, or `> ` prompts.
  let style: 'labels' | 'prompts' | undefined;

  const open = (speaker: string, role: string): Turn => {
    turn?.splitter.end();
    const n = ++count;
    const key = `turn-${n}`;
    const t: Turn = {
      n,
      speaker,
      role,
      splitter: new Splitter((cut) =>
        out.push({
          locator: locatorOf(key, cut),
          text: cut.text,
          places: [ctx.place],
          meta: { speaker, role, turn: n, lines: `L${cut.start}-L${cut.end}` },
          line: cut.start,
        }),
      ),
    };
    turn = t;
    return t;
  };

  for await (const l of readLines(ctx.path, notes, (n) => ctx.onBytes(n))) {
    const label = style !== 'prompts' ? LABEL.exec(l.text) : null;
    const prompt = style !== 'labels' ? PROMPT.exec(l.text) : null;
    if (label) {
      style = 'labels';
      const speaker = (label[1] ?? '').toLowerCase();
      open(speaker, ROLE[speaker] ?? speaker).splitter.line(label[2] ?? '', l.no);
    } else if (prompt && (l.text.startsWith('> ') || l.text === '>')) {
      style = 'prompts';
      // Consecutive `> ` lines are one prompt; a `> ` line after anything else starts a new one.
      if (!(prevPrompt && turn?.role === 'user')) open('user', 'user');
      turn?.splitter.line(prompt[1] ?? '', l.no);
      prevPrompt = true;
      continue;
    } else if (style === 'prompts' && turn?.role === 'user' && l.text.trim() !== '' && (ASSISTANT_MARK.test(l.text) || !/^\s/u.test(l.text))) {
      // Back at the left margin after a prompt (its continuation lines are indented): the assistant answers.
      open('assistant', 'assistant').splitter.line(l.text.replace(/^[⏺●][ \t]?/u, ''), l.no);
    } else {
      turn ??= open('preamble', 'none');
      // Exports indent a turn's continuation lines by two spaces under its first line.
      turn.splitter.line(style === 'prompts' ? l.text.replace(/^ {1,2}/u, '') : l.text, l.no);
    }
    prevPrompt = false;
    if (out.length > 0) yield* out.splice(0);
  }
  turn?.splitter.end();
  yield* out.splice(0);
}
