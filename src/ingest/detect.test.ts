import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from './detect.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function detect(name: string, content: string | Buffer) {
  const path = join(dir, name);
  writeFileSync(path, content);
  return detectFormat(path);
}

describe('detectFormat()', () => {
  it('decides by extension where it is clear', async () => {
    expect(await detect('a.md', 'plain words')).toEqual({ format: 'markdown', why: '.md' });
    expect(await detect('a.htm', 'hello')).toEqual({ format: 'html', why: '.htm' });
    expect(await detect('a.rss', '<rss>')).toEqual({ format: 'rss', why: '.rss' });
    expect(await detect('a.atom', '<feed>')).toEqual({ format: 'atom', why: '.atom' });
  });

  it('sniffs the content otherwise', async () => {
    expect(await detect('feed.xml', '<?xml version="1.0"?>\n<rss version="2.0"><channel>')).toMatchObject({ format: 'rss' });
    expect(await detect('feed', '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">')).toMatchObject({ format: 'atom' });
    expect(await detect('page.txt', '<!DOCTYPE html><html><body>x')).toMatchObject({ format: 'html' });
    expect(await detect('s.jsonl', `${JSON.stringify({ type: 'user', sessionId: 's', message: { content: 'hi' } })}\n`)).toMatchObject({ format: 'claude-code' });
    expect(await detect('log', `${JSON.stringify({ type: 'assistant', sessionId: 's' })}\n`)).toMatchObject({ format: 'claude-code' });
    expect(await detect('chat.txt', 'User: hi\nAssistant: hello\n')).toMatchObject({ format: 'transcript', why: '.txt, 2 labelled turns' });
    expect(await detect('prompts.txt', '> first\n\nanswer\n\n> second\n')).toMatchObject({ format: 'transcript' });
    expect(await detect('notes.txt', '# Title\n\nbody\n')).toMatchObject({ format: 'markdown' });
    expect(await detect('fm', '---\ntags: [a]\n---\nbody')).toMatchObject({ format: 'markdown', why: 'frontmatter' });
    expect(await detect('plain.txt', 'Just some words.\n\nMore words.')).toEqual({ format: 'text', why: '.txt, plain text' });
  });

  it('skips what it cannot read, saying why', async () => {
    expect(await detect('img.png', 'whatever')).toEqual({ skip: 'binary file (.png)' });
    expect(await detect('blob', Buffer.from([0x41, 0x00, 0x42]))).toEqual({ skip: 'binary file (contains NUL bytes)' });
    expect(await detect('empty.txt', '')).toEqual({ skip: 'empty file' });
    expect(await detect('data.json', '{"a":1}')).toMatchObject({ skip: expect.stringContaining('JSON') });
    expect(await detect('other.jsonl', '{"a":1}\n')).toEqual({ skip: 'JSON lines that are not a Claude Code transcript' });
    expect(await detect('config.xml', '<config/>')).toEqual({ skip: 'XML that is not an RSS or Atom feed' });
  });
});
