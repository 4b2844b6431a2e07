// The benchmark harnesses' own logic, on data written here: LoCoMo evidence ids and their repair, recall scoring,
// and how the speed targets are judged from figures. (The harnesses are plain .mjs scripts; they are loaded by URL.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

type Module = Record<string, any>;
const load = (path: string): Promise<Module> => import(new URL(path, import.meta.url).href);

const locomo = await load('../bench/lib/locomo.mjs');
const targets = await load('../bench/lib/speed-targets.mjs');
const markdown = await load('../bench/report/markdown.mjs');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('LoCoMo loading', () => {
  it('splits and repairs evidence ids, and returns what cannot be read', () => {
    expect(locomo.normaliseEvidence('D8:6; D9:17')).toEqual({ ids: ['D8:6', 'D9:17'], bad: [] });
    expect(locomo.normaliseEvidence('D:11:26')).toEqual({ ids: ['D11:26'], bad: [] });
    expect(locomo.normaliseEvidence('D30:05')).toEqual({ ids: ['D30:5'], bad: [] });
    expect(locomo.normaliseEvidence('D')).toEqual({ ids: [], bad: ['D'] });
  });

  it('reads session dates as UTC', () => {
    expect(new Date(locomo.parseSessionDate('1:56 pm on 8 May, 2023')).toISOString()).toBe('2023-05-08T13:56:00.000Z');
    expect(new Date(locomo.parseSessionDate('12:05 am on 1 January, 2024')).toISOString()).toBe('2024-01-01T00:05:00.000Z');
    expect(() => locomo.parseSessionDate('yesterday')).toThrow(/unrecognised session date/);
  });

  it('keeps questions of categories 1–4 with evidence that exists, and counts what it repaired and dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'physarum-bench-test-'));
    dirs.push(dir);
    const file = join(dir, 'conv-test.json');
    writeFileSync(
      file,
      JSON.stringify({
        conversation: {
          speaker_a: 'Ana',
          speaker_b: 'Ben',
          session_1_date_time: '9:00 am on 2 March, 2023',
          session_1: [
            { speaker: 'Ana', dia_id: 'D1:1', text: 'I adopted a cat.' },
            { speaker: 'Ben', dia_id: 'D1:2', text: 'What is its name?', blip_caption: 'a photo of a cat' },
          ],
          session_2_date_time: '6:30 pm on 9 March, 2023',
          session_2: [{ speaker: 'Ana', dia_id: 'D2:1', text: 'Her name is Miso.' }],
        },
        qa: [
          { question: 'What pet did Ana adopt?', evidence: ['D1:1'], category: 4, answer: 'a cat' },
          { question: "What is the cat's name?", evidence: ['D:2:1', 'D1:01'], category: 1, answer: 'Miso' },
          { question: 'What did Ben ask?', evidence: ['D1:2', 'D9:9', 'D'], category: 2, answer: 'its name' },
          { question: 'Nothing readable', evidence: ['X'], category: 3, answer: '' },
          { question: 'Adversarial', evidence: ['D1:1'], category: 5, answer: '' },
        ],
      }),
    );
    const conv = locomo.loadConversation(file);
    expect(conv.turns.map((t: { id: string }) => t.id)).toEqual(['D1:1', 'D1:2', 'D2:1']);
    expect(conv.turns[1].text).toBe('What is its name? [image: a photo of a cat]');
    expect(conv.turns[2].at).toBe(Date.UTC(2023, 2, 9, 18, 30));
    expect(conv.questions.map((q: { evidence: string[] }) => q.evidence)).toEqual([['D1:1'], ['D2:1', 'D1:1'], ['D1:2']]);
    expect(conv.stats.repaired).toBe(2);
    expect(conv.stats.droppedMalformed.map((d: { id: string }) => d.id)).toEqual(['D', 'X']);
    expect(conv.stats.droppedUnknown.map((d: { id: string }) => d.id)).toEqual(['D9:9']);
    expect(conv.stats.noEvidence).toEqual(['Nothing readable']);
    expect(conv.stats.category5).toBe(1);
  });

  it('scores R@k as the share of evidence in the top k and All@k as all of it', () => {
    const s = locomo.scoreQuestion(['D1:1', 'D2:1', 'D3:1', 'D4:1', 'D5:1', 'D6:1'], ['D2:1', 'D6:1']);
    expect(s['R@1']).toBe(0);
    expect(s['R@5']).toBe(0.5);
    expect(s['All@5']).toBe(0);
    expect(s['R@10']).toBe(1);
    expect(s['All@10']).toBe(1);
  });
});

describe('speed targets', () => {
  const stage = (items: number, write: number) => ({ items, write: { p50: write }, search: { p50: 2 } });
  const run = (normalWrite: number, fullWrite: number, memoryWrite: number) => ({
    mcp: [
      { server: 'physarum', durability: 'full', ping: { p50: 0.2 }, stages: [stage(10_000, fullWrite)] },
      { server: 'physarum-normal', durability: 'normal', ping: { p50: 0.2 }, stages: [stage(10_000, normalWrite)] },
      { server: 'memory', ping: { p50: 0.1 }, stages: [stage(10_000, memoryWrite)] },
    ],
  });
  const ratios = (r: object) => targets.speedTargets(r).filter((t: { unit?: string }) => t.unit === '×');

  it('holds durability normal to 50× the reference server and reports durability full beside it', () => {
    const [full, normal] = ratios(run(0.38, 0.7, 20));
    expect(full).toMatchObject({ ok: undefined, value: 20 / 0.7 });
    expect(full.target).toMatch(/durability full/);
    expect(normal).toMatchObject({ ok: true, value: 20 / 0.38 });
    expect(normal.target).toMatch(/like for like: durability normal/);
    expect(ratios(run(0.41, 0.7, 20))[1].ok).toBe(false);
  });

  it('counts only real targets in the page summary', () => {
    const summary = [
      { target: 'a', measured: '1', ok: true },
      { target: 'b', measured: '2', ok: false },
      { target: 'c', measured: '3', ok: undefined },
    ];
    expect(markdown.targetsHeading(summary)).toBe('## Targets: 1 of 2 met');
    expect(summary.map(markdown.targetLine)).toEqual(['- ✅ met: a (measured 1)', '- ❌ **not met**: b (measured 2)', '- ℹ️ reported: c (measured 3)']);
  });

  it('counts a lost or refused write against the no-loss target', () => {
    const lost = (acknowledged: number, stored: number) =>
      targets.speedTargets({ concurrency: [{ server: 'physarum', clients: 8, attempted: 1600, acknowledged, stored, lost: acknowledged - stored }] })[0];
    expect(lost(1600, 1600)).toMatchObject({ ok: true, value: 0 });
    expect(lost(1600, 1599)).toMatchObject({ ok: false, value: 1 });
    expect(lost(1598, 1598)).toMatchObject({ ok: false, value: 2 });
  });
});
