import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeTool, parseClaudeCode } from './claude-code.js';
import type { ParseContext, Piece, Problem } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-cc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cwd = '/work/garden';
const base = { sessionId: 's-1', cwd, gitBranch: 'main', isSidechain: false };
const user = (uuid: string, ts: string, content: unknown, extra: object = {}) => JSON.stringify({ ...base, type: 'user', uuid, timestamp: ts, message: { role: 'user', content }, ...extra });
const assistant = (uuid: string, ts: string, content: unknown[]) => JSON.stringify({ ...base, type: 'assistant', uuid, timestamp: ts, message: { role: 'assistant', content } });

async function parse(lines: string[]): Promise<{ pieces: Piece[]; skipped: Array<Omit<Problem, 'file'>> }> {
  const path = join(dir, `s-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  const skipped: Array<Omit<Problem, 'file'>> = [];
  const ctx: ParseContext = { path, uri: 'sessions/s.jsonl', place: 'sessions/s.jsonl', skip: (p) => skipped.push(p), warn: () => undefined, onBytes: () => undefined };
  const pieces: Piece[] = [];
  for await (const p of parseClaudeCode(ctx, { invalid: 0, repairedLines: 0 })) pieces.push(p);
  return { pieces, skipped };
}

describe('parseClaudeCode()', () => {
  it('turns prompts and replies into pieces, one line per tool call with its outcome', async () => {
    const { pieces, skipped } = await parse([
      JSON.stringify({ type: 'summary', summary: 'Sensor fix', leafUuid: 'x' }),
      user('u1', '2026-04-01T09:00:00Z', 'Why does the sensor read -40?'),
      assistant('a1', '2026-04-01T09:00:05Z', [{ type: 'thinking', thinking: 'scratch' }, { type: 'text', text: 'Let me look.' }]),
      assistant('a2', '2026-04-01T09:00:06Z', [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: `${cwd}/src/sensor.ts` } }]),
      user('r1', '2026-04-01T09:00:07Z', [{ type: 'tool_result', tool_use_id: 't1', content: 'file text' }]),
      assistant('a3', '2026-04-01T09:00:08Z', [{ type: 'tool_use', id: 't2', name: 'Bash', input: { command: 'npm test\n  --watch=false' } }]),
      user('r2', '2026-04-01T09:00:09Z', [{ type: 'tool_result', tool_use_id: 't2', is_error: true, content: [{ type: 'text', text: 'Exit code 1\n2 failing' }] }]),
      '{"type": "assistant", broken',
      assistant('a4', '2026-04-01T09:00:10Z', [{ type: 'text', text: 'The timeout returns -40.' }]),
      user('m1', '2026-04-01T09:00:11Z', 'Caveat: local command output', { isMeta: true }),
      user('u2', '2026-04-01T09:01:00Z', [{ type: 'text', text: 'Thanks!' }]),
    ]);
    expect(skipped).toEqual([{ line: 8, reason: expect.stringMatching(/^not valid JSON/) }]);
    expect(pieces.map((p) => [p.locator, p.meta['speaker'], p.text])).toEqual([
      ['u1', 'user', 'Why does the sensor read -40?'],
      ['a1', 'assistant', 'Let me look.\n\nRead src/sensor.ts → ok\nBash npm test --watch=false → error: Exit code 1 2 failing\n\nThe timeout returns -40.'],
      ['u2', 'user', 'Thanks!'],
      ['session', 'summary', expect.stringContaining('Claude Code session s-1: Sensor fix')],
    ]);
    expect(pieces[1]).toMatchObject({ places: ['sessions/s.jsonl', `${cwd}/src/sensor.ts`], at: Date.parse('2026-04-01T09:00:05Z'), meta: { sessionId: 's-1', cwd, uuid: 'a1' } });
    expect(pieces[3]?.text).toContain('2 prompts, 1 assistant turn, 2 tool calls (1 failed)');
    expect(pieces[3]?.text).toContain('Files touched: src/sensor.ts');
    expect(pieces[3]?.places).toEqual(['sessions/s.jsonl', `${cwd}/src/sensor.ts`]);
    expect(pieces.map((p) => p.text).join('\n')).not.toContain('scratch');
  });

  it('ends a turn that never got its tool result with "no result"', async () => {
    const { pieces } = await parse([user('u1', '2026-04-01T09:00:00Z', 'go'), assistant('a1', '2026-04-01T09:00:01Z', [{ type: 'tool_use', id: 't', name: 'Write', input: { file_path: 'notes.md' } }])]);
    expect(pieces[1]?.text).toBe('Write notes.md → no result');
    expect(pieces[1]?.places).toEqual(['sessions/s.jsonl', `${cwd}/notes.md`]);
  });

  it('reports lines that are not JSON objects', async () => {
    const { skipped } = await parse([user('u1', '2026-04-01T09:00:00Z', 'hi'), '[1, 2]', '']);
    expect(skipped).toEqual([{ line: 2, reason: 'not a JSON object' }]);
  });
});

describe('describeTool()', () => {
  it('names the file, command, pattern or description of a call', () => {
    expect(describeTool('Edit', { file_path: '/p/src/a.ts' }, '/p')).toEqual({ target: 'src/a.ts', file: '/p/src/a.ts' });
    expect(describeTool('Read', { file_path: '/etc/hosts' }, '/p')).toEqual({ target: '/etc/hosts', file: '/etc/hosts' });
    expect(describeTool('Grep', { pattern: 'TODO', path: 'src' }, '/p')).toEqual({ target: 'TODO in src' });
    expect(describeTool('WebFetch', { url: 'https://x.example', prompt: 'p' }, '/p')).toEqual({ target: 'https://x.example' });
    expect(describeTool('Task', { description: 'find callers', prompt: 'long' }, '/p')).toEqual({ target: 'find callers' });
    expect(describeTool('TodoWrite', { todos: [1, 2, 3] }, '/p')).toEqual({ target: '3 todos' });
    expect(describeTool('Bash', { command: 'x'.repeat(300) }, '/p').target).toHaveLength(120);
  });
});
