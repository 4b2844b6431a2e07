import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countTurns, parseTranscript } from './transcript.js';
import type { ParseContext, Piece } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-chat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function parse(text: string): Promise<Piece[]> {
  const path = join(dir, `chat-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(path, text);
  const ctx: ParseContext = { path, uri: 'chat.txt', place: 'chat.txt', skip: () => undefined, warn: () => undefined, onBytes: () => undefined };
  const pieces: Piece[] = [];
  for await (const p of parseTranscript(ctx, { invalid: 0, repairedLines: 0 })) pieces.push(p);
  return pieces;
}

describe('parseTranscript()', () => {
  it('splits labelled turns and records the speaker', async () => {
    const pieces = await parse('A title line.\n\nUser: first question\ncontinued here\n\n**Assistant:** an answer\n\nHuman: another\nAI: done');
    expect(pieces.map((p) => [p.locator, p.meta['speaker'], p.meta['role'], p.text])).toEqual([
      ['turn-1', 'preamble', 'none', 'A title line.'],
      ['turn-2', 'user', 'user', 'first question\ncontinued here'],
      ['turn-3', 'assistant', 'assistant', 'an answer'],
      ['turn-4', 'human', 'user', 'another'],
      ['turn-5', 'ai', 'assistant', 'done'],
    ]);
    expect(pieces[1]?.meta['lines']).toBe('L3-L4');
  });

  it('reads "> " prompts as the person and what follows at the margin as the assistant', async () => {
    const pieces = await parse('> why is the sensor at -40?\n  only at night\n\n⏺ It times out while the radio sleeps.\n  Fixed the poll.\n\n> thanks\n> really\n\nYou are welcome.\n');
    expect(pieces.map((p) => [p.meta['speaker'], p.text])).toEqual([
      ['user', 'why is the sensor at -40?\nonly at night'],
      ['assistant', 'It times out while the radio sleeps.\nFixed the poll.'],
      ['user', 'thanks\nreally'],
      ['assistant', 'You are welcome.'],
    ]);
  });

  it('splits a long turn into pieces named by turn and anchor', async () => {
    const long = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} of a very long answer about ferries and their timetables.`).join('\n\n');
    const pieces = await parse(`User: go on\n\nAssistant: ${long}\n`);
    expect(pieces[1]?.locator).toBe('turn-2');
    expect(pieces.slice(2).every((p) => /^turn-2 @[0-9a-f]{10}$/.test(p.locator))).toBe(true);
  });
});

describe('countTurns()', () => {
  it('counts labels, distinct speakers and prompts that start after a blank line', () => {
    expect(countTurns('User: a\nAssistant: b\nUser: c')).toEqual({ labels: 3, speakers: 2, prompts: 0 });
    expect(countTurns('> a\n> b\n\n> c\n')).toEqual({ labels: 0, speakers: 0, prompts: 2 });
  });
});
