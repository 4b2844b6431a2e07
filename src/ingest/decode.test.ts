import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DecodeNotes, readLines, readText, repairMojibake } from './decode.js';

const dir = mkdtempSync(join(tmpdir(), 'physarum-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a UTF-8 text looks like after being decoded as Windows-1252 (undefined bytes kept as C1 controls). */
function misread(text: string): string {
  const cp1252 = new TextDecoder('windows-1252');
  return [...Buffer.from(text, 'utf8')].map((b) => (b >= 0x80 && b <= 0x9f && [0x81, 0x8d, 0x8f, 0x90, 0x9d].includes(b) ? String.fromCharCode(b) : cp1252.decode(Uint8Array.of(b)))).join('');
}

async function lines(bytes: Buffer | string): Promise<{ lines: string[]; notes: DecodeNotes }> {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(path, bytes);
  const notes: DecodeNotes = { invalid: 0, repairedLines: 0 };
  const out: string[] = [];
  for await (const l of readLines(path, notes)) out.push(l.text);
  return { lines: out, notes };
}

describe('repairMojibake()', () => {
  it('repairs UTF-8 that was read as Windows-1252', () => {
    for (const text of ['it’s', 'café', '“quoted” — dash', 'naïve résumé', 'tree ⎿ branch', '✻ thinking', 'emoji 🙂 too']) {
      expect(repairMojibake(misread(text))).toEqual({ text, repaired: true });
    }
  });

  it('repairs text misread twice', () => {
    expect(repairMojibake(misread(misread('don’t'))).text).toBe('don’t');
  });

  it('leaves correct text alone, including real Latin-1 and text next to mojibake', () => {
    for (const text of ['café au lait', 'Müßiggang', 'Ærø and Ø', 'plain ascii', '½ × ¾', 'Â alone', 'price: 5 €']) {
      expect(repairMojibake(text)).toEqual({ text, repaired: false });
    }
    expect(repairMojibake(`a correct é and a broken ${misread('é')}`).text).toBe('a correct é and a broken é');
  });

  it('leaves runs whose bytes are not UTF-8 as they are', () => {
    expect(repairMojibake('Ã(').text).toBe('Ã(');
    expect(repairMojibake('Ãx').text).toBe('Ãx');
  });
});

describe('readLines()', () => {
  it('replaces invalid UTF-8 without failing and says where', async () => {
    const r = await lines(Buffer.concat([Buffer.from('good line\nbad '), Buffer.from([0xff, 0xfe]), Buffer.from(' here\ncut '), Buffer.from([0xe2, 0x82]), Buffer.from('\nend')]));
    expect(r.lines).toEqual(['good line', 'bad \ufffd\ufffd here', 'cut \ufffd', 'end']);
    expect(r.notes).toMatchObject({ invalid: 3, firstInvalidLine: 2 });
  });

  it('does not count a real U+FFFD as invalid, and strips a BOM and CRs', async () => {
    const r = await lines(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('one \ufffd\r\ntwo\r\n')]));
    expect(r.lines).toEqual(['one \ufffd', 'two']);
    expect(r.notes.invalid).toBe(0);
  });

  it('keeps multi-byte characters split across stream chunks whole', async () => {
    const line = 'é’🙂'.repeat(200_000); // well over one 256 KiB chunk
    const r = await lines(`${line}\nnext`);
    expect(r.lines[0]).toBe(line);
    expect(r.lines[1]).toBe('next');
    expect(r.notes.invalid).toBe(0);
  });

  it('repairs mojibake line by line and counts the lines', async () => {
    const r = await lines(`${misread('it’s fine')}\nplain\n${misread('café')}\n`);
    expect(r.lines).toEqual(['it’s fine', 'plain', 'café']);
    expect(r.notes).toMatchObject({ repairedLines: 2, firstRepairedLine: 1 });
  });

  it('reads UTF-16 files with a byte-order mark', async () => {
    const r = await lines(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('wide text\nsecond', 'utf16le')]));
    expect(r.lines).toEqual(['wide text', 'second']);
  });
});

describe('readText()', () => {
  it('uses a declared charset when the bytes are not UTF-8', async () => {
    const path = join(dir, 'latin1.xml');
    writeFileSync(path, Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><t>caf'), Buffer.from([0xe9]), Buffer.from('</t>')]));
    const notes: DecodeNotes = { invalid: 0, repairedLines: 0 };
    expect(await readText(path, notes)).toContain('<t>café</t>');
    expect(notes.invalid).toBe(0);
  });
});
