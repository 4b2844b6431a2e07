import { describe, it, expect } from 'vitest';
import { isPhysarumError } from '../errors/index.js';
import { formatPlaceForms, normalizePlace, parentPlaces, type Place } from './index.js';

const options = { root: '/root/project' };
const key = (input: string) => normalizePlace(input, options).key;
const parents = (input: string) => parentPlaces(normalizePlace(input, options)).map((p) => p.key);

function refusal(input: string, field?: string) {
  try {
    normalizePlace(input, options, field);
  } catch (e) {
    if (isPhysarumError(e)) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('normalizePlace()', () => {
  describe('topics', () => {
    it('lowercases, trims and hyphenates a topic name', () => {
      expect(normalizePlace('topic:  Heat   Death ', options)).toEqual({ key: 'topic:heat-death', kind: 'topic' });
    });

    it('keeps hierarchical topics and cleans each level', () => {
      expect(key('topic:Physics/Entropy')).toBe('topic:physics/entropy');
      expect(key('topic: Physics / Heat Death /')).toBe('topic:physics/heat-death');
    });

    it('accepts the topic prefix in any case', () => {
      expect(key('Topic:Physics')).toBe('topic:physics');
    });

    it('refuses a topic with an empty name', () => {
      for (const input of ['topic:', 'topic:   ', 'topic:/']) {
        const e = refusal(input);
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.field).toBe('place');
        expect(e.message).toContain('topic:<name>');
      }
    });
  });

  describe('URLs', () => {
    it('lowercases the scheme and host and drops the default port and empty fragment', () => {
      expect(normalizePlace('HTTPS://Example.COM:443/a?utm_source=x#', options)).toEqual({
        key: 'https://example.com/a',
        kind: 'url',
      });
      expect(key('http://Example.com:80/A')).toBe('http://example.com/A');
    });

    it('keeps a non-default port', () => {
      expect(key('http://example.com:8080/a')).toBe('http://example.com:8080/a');
    });

    it('keeps a non-empty fragment as a section', () => {
      expect(key('https://example.com/doc#Intro')).toBe('https://example.com/doc#Intro');
    });

    it('removes tracking parameters and keeps the rest in order', () => {
      expect(key('https://example.com/p?z=1&utm_source=a&UTM_Medium=b&fbclid=c&a=2&gclid=d')).toBe(
        'https://example.com/p?z=1&a=2',
      );
    });

    it('removes a trailing question mark', () => {
      expect(key('https://example.com/p?')).toBe('https://example.com/p');
      expect(key('https://example.com/p?utm_campaign=x')).toBe('https://example.com/p');
    });

    it('removes credentials', () => {
      expect(key('https://user:secret@example.com/p')).toBe('https://example.com/p');
      expect(key('https://token@example.com/p')).toBe('https://example.com/p');
    });

    it('resolves dot segments in the path', () => {
      expect(key('https://example.com/a/./b/../c')).toBe('https://example.com/a/c');
    });

    it('refuses an unparsable URL', () => {
      for (const input of ['http://', 'https://exa mple.com/', 'http://[::1']) {
        const e = refusal(input, 'source');
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.field).toBe('source');
        expect(e.message).toMatch(/^source: is not a valid URL/);
        expect(e.message).toContain(formatPlaceForms());
      }
    });
  });

  describe('files', () => {
    it('keeps a relative path relative to the root', () => {
      expect(normalizePlace('src/a.ts', options)).toEqual({ key: 'src/a.ts', kind: 'file' });
    });

    it('resolves dot segments', () => {
      expect(key('./src/../lib/a.ts')).toBe('lib/a.ts');
      expect(key('src/./x/../../lib//a.ts')).toBe('lib/a.ts');
    });

    it('makes an absolute path inside the root relative', () => {
      expect(key('/root/project/src/a.ts')).toBe('src/a.ts');
      expect(key('/root/project/../project/src/a.ts')).toBe('src/a.ts');
    });

    it('turns the root itself into "."', () => {
      expect(key('/root/project')).toBe('.');
      expect(key('/root/project/')).toBe('.');
      expect(key('.')).toBe('.');
      expect(key('./')).toBe('.');
    });

    it('keeps an absolute path outside the root absolute', () => {
      expect(key('/etc/hosts')).toBe('/etc/hosts');
      expect(key('/etc//x/./y/')).toBe('/etc/x/y');
    });

    it('does not mistake a sibling folder sharing the root as a prefix for the root', () => {
      expect(key('/root/project-old/a.ts')).toBe('/root/project-old/a.ts');
    });

    it('makes a relative path that climbs above the root absolute', () => {
      expect(key('../other/x')).toBe('/root/other/x');
      expect(key('src/../../../../x')).toBe('/x');
    });

    it('drops trailing slashes', () => {
      expect(key('src/lib/')).toBe('src/lib');
      expect(key('src/lib///')).toBe('src/lib');
    });

    it('turns backslashes into slashes', () => {
      expect(key('src\\lib\\a.ts')).toBe('src/lib/a.ts');
    });

    it('turns a file URL into its path', () => {
      expect(key('file:///root/project/src/a.ts')).toBe('src/a.ts');
      expect(key('FILE:///etc/hosts')).toBe('/etc/hosts');
      expect(key('file:///root/project/docs/my%20notes.md#Part%20Two')).toBe('docs/my notes.md#Part Two');
      expect(key('file://localhost/etc/hosts')).toBe('/etc/hosts');
      expect(key('file:///C:/x/y')).toBe('C:/x/y');
    });

    it('refuses a file URL on another host', () => {
      const e = refusal('file://server/share/a.txt');
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toContain('local path');
    });

    it('treats a Windows drive path as absolute', () => {
      expect(normalizePlace('C:\\x\\y', options)).toEqual({ key: 'C:/x/y', kind: 'file' });
      expect(key('c:/x/./y/')).toBe('C:/x/y');
      expect(key('C://x')).toBe('C:/x');
    });

    it('makes a path inside a Windows root relative', () => {
      const windows = { root: 'C:\\work\\proj' };
      expect(normalizePlace('C:\\work\\proj\\src\\a.ts', windows).key).toBe('src/a.ts');
      expect(normalizePlace('src\\a.ts', windows).key).toBe('src/a.ts');
      expect(normalizePlace('..\\..\\..\\x', windows).key).toBe('C:/x');
      expect(normalizePlace('D:\\work\\proj\\a.ts', windows).key).toBe('D:/work/proj/a.ts');
    });

    it('accepts a root with a trailing slash or at the filesystem root', () => {
      expect(normalizePlace('/root/project/a.ts', { root: '/root/project/' }).key).toBe('a.ts');
      expect(normalizePlace('/etc/hosts', { root: '/' }).key).toBe('etc/hosts');
      expect(normalizePlace('/', { root: '/' }).key).toBe('.');
    });

    it('keeps a section, trimmed with its inner whitespace collapsed and its case kept', () => {
      expect(normalizePlace('docs/essay.md#Part Two', options)).toEqual({ key: 'docs/essay.md#Part Two', kind: 'file' });
      expect(key('./docs/../docs/essay.md#  Part \u00a0 Two ')).toBe('docs/essay.md#Part Two');
      expect(key('/root/project/docs/essay.md#Part  Two')).toBe('docs/essay.md#Part Two');
    });

    it('refuses an empty section', () => {
      for (const input of ['a.md#', 'a.md#   ']) {
        const e = refusal(input, 'places.2');
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.field).toBe('places.2');
        expect(e.message).toContain('empty section');
        expect(e.message).toContain('docs/a.md#Intro');
      }
    });

    it('refuses a section without a file', () => {
      const e = refusal('#Intro');
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toContain('put the file before');
    });

    it('trims surrounding whitespace', () => {
      expect(key('  src/a.ts  ')).toBe('src/a.ts');
    });
  });

  describe('malformed places', () => {
    it('refuses an empty or whitespace-only place', () => {
      for (const input of ['', '   ']) {
        const e = refusal(input);
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.field).toBe('place');
        expect(e.message).toBe(`place: is empty. A place is ${formatPlaceForms()}.`);
      }
    });

    it('refuses a place longer than 1024 characters', () => {
      expect(key('a'.repeat(1024))).toBe('a'.repeat(1024));
      const e = refusal('a'.repeat(1025), 'steps.0.place');
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.field).toBe('steps.0.place');
      expect(e.message).toContain('the limit is 1024');
    });

    it('refuses a place that grows past 1024 characters once normalised', () => {
      const e = refusal(`../${'a'.repeat(1020)}`);
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toContain('once normalised');
    });

    it('refuses control characters', () => {
      for (const input of ['src/a\u0000.ts', 'src/a.ts\n', 'topic:a\tb', 'https://example.com/\u007f', 'a\u001b.md']) {
        const e = refusal(input);
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.field).toBe('place');
        expect(e.message).toContain('remove them');
      }
    });

    it('refuses control characters hidden by percent-encoding in a file URL', () => {
      expect(refusal('file:///etc/a%0Ab').code).toBe('INVALID_INPUT');
    });

    it('refuses unsupported schemes', () => {
      const cases: Array<[string, string]> = [
        ['ftp://x', 'ftp:'],
        ['SFTP://host/x', 'sftp:'],
        ['javascript:alert(1)', 'javascript:'],
        ['JavaScript:alert(1)', 'javascript:'],
        ['data:text/html,<b>x</b>', 'data:'],
        ['mailto:someone@example.com', 'mailto:'],
        ['git+ssh://github.com/a/b', 'git+ssh:'],
      ];
      for (const [input, scheme] of cases) {
        const e = refusal(input);
        expect(e.code).toBe('INVALID_INPUT');
        expect(e.field).toBe('place');
        expect(e.message).toContain(`unsupported scheme "${scheme}"`);
        expect(e.message).toContain('only http:, https: and file:');
      }
    });
  });

  it('gives the same place for an input seen before, relative to each root, and refuses bad input every time', () => {
    const first = normalizePlace('./src/a.ts', options);
    first.key = 'changed by a caller';
    expect(normalizePlace('./src/a.ts', options)).toEqual({ key: 'src/a.ts', kind: 'file' });
    expect(normalizePlace('./src/a.ts', { root: '/elsewhere' })).toEqual({ key: 'src/a.ts', kind: 'file' });
    expect(normalizePlace('/root/project/src/a.ts', { root: '/elsewhere' })).toEqual({ key: '/root/project/src/a.ts', kind: 'file' });
    expect(normalizePlace('/root/project/src/a.ts', options)).toEqual({ key: 'src/a.ts', kind: 'file' });
    for (const field of ['places.0', 'places.1']) expect(refusal('javascript:alert(1)', field).field).toBe(field);
  });

  it('is idempotent: normalising a key again gives the same key', () => {
    const inputs = [
      'topic: Physics / Heat Death',
      'HTTPS://user:pw@Example.com:443/a/./b?utm_source=x&q=a%20b&fbclid=1#Part%20Two',
      'http://example.com:8080/?',
      './src/../lib/a.ts',
      '/root/project/docs/essay.md#  Part   Two ',
      '../other/x/',
      'C:\\x\\y',
      'file:///root/project/a%20b.md',
      '/root/project',
      '/etc/hosts',
    ];
    for (const input of inputs) {
      const once = normalizePlace(input, options);
      expect(normalizePlace(once.key, options)).toEqual(once);
    }
  });
});

describe('parentPlaces()', () => {
  it('lists the folders of a file, nearest first, without the root', () => {
    expect(parentPlaces({ key: 'src/lib/a.ts', kind: 'file' })).toEqual<Place[]>([
      { key: 'src/lib', kind: 'file' },
      { key: 'src', kind: 'file' },
    ]);
  });

  it('gives a top-level file and the root no parents', () => {
    expect(parents('a.ts')).toEqual([]);
    expect(parents('.')).toEqual([]);
  });

  it('lists the folders of an absolute path without the filesystem root', () => {
    expect(parents('/etc/x/y')).toEqual(['/etc/x', '/etc']);
    expect(parents('C:\\x\\y\\z')).toEqual(['C:/x/y', 'C:/x']);
  });

  it('lists the file and then its folders for a section', () => {
    expect(parents('docs/guide/essay.md#Part Two')).toEqual(['docs/guide/essay.md', 'docs/guide', 'docs']);
    expect(parents('README.md#Install')).toEqual(['README.md']);
  });

  it('lists the parent paths of a URL down to its origin', () => {
    const result = parentPlaces(normalizePlace('https://example.com/a/b/c', options));
    expect(result).toEqual<Place[]>([
      { key: 'https://example.com/a/b', kind: 'url' },
      { key: 'https://example.com/a', kind: 'url' },
      { key: 'https://example.com/', kind: 'url' },
    ]);
  });

  it('lists the page first for a URL with a fragment', () => {
    expect(parents('https://example.com/a/b#Intro')).toEqual([
      'https://example.com/a/b',
      'https://example.com/a',
      'https://example.com/',
    ]);
  });

  it('drops the query for parents', () => {
    expect(parents('https://example.com/a/b?q=1')).toEqual(['https://example.com/a/b', 'https://example.com/a', 'https://example.com/']);
    expect(parents('https://example.com/a?q=1#s')).toEqual([
      'https://example.com/a?q=1',
      'https://example.com/a',
      'https://example.com/',
    ]);
    expect(parents('https://example.com/?q=1')).toEqual(['https://example.com/']);
  });

  it('gives an origin no parents', () => {
    expect(parents('https://example.com')).toEqual([]);
    expect(parents('http://example.com:8080/')).toEqual([]);
  });

  it('treats a URL with a trailing slash like its folder', () => {
    expect(parents('https://example.com/a/b/')).toEqual(['https://example.com/a', 'https://example.com/']);
  });

  it('lists the parent topics of a hierarchical topic', () => {
    expect(parentPlaces({ key: 'topic:physics/entropy', kind: 'topic' })).toEqual<Place[]>([{ key: 'topic:physics', kind: 'topic' }]);
    expect(parents('topic:a/b/c')).toEqual(['topic:a/b', 'topic:a']);
    expect(parents('topic:physics')).toEqual([]);
  });

  it('gives only normalised places as parents', () => {
    for (const input of ['https://example.com/a/b?q=1#s', 'docs/a/b.md#S', '/etc/x/y', 'topic:a/b/c']) {
      for (const parent of parents(input)) expect(key(parent)).toBe(parent);
    }
  });
});
