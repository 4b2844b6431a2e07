// Places: turning the many ways agents name a location (paths, URLs, topics, sections) into one canonical key.
import { posix } from 'node:path';
import { PhysarumError, invalidInput } from '../errors/index.js';

export type PlaceKind = 'file' | 'url' | 'topic';

/** A canonical place. `key` is the string stored and matched; equal places always have equal keys. */
export interface Place {
  key: string;
  kind: PlaceKind;
}

export interface PlaceOptions {
  /** Absolute project root directory; file places inside it are stored relative to it. */
  root: string;
}

const MAX_LENGTH = 1024;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const TOPIC_PREFIX = /^topic:/i;
const HTTP_SCHEME = /^https?:/i;
const FILE_URL = /^file:\/\//i;
const ANY_SCHEME_URL = /^([a-z][a-z0-9+.-]*):\/\//i;
// Schemes without `//` that are scripts or non-locations; they must never become (clickable) places.
const REFUSED_SCHEMES = /^(javascript|vbscript|data|mailto):/i;
// `C:\x`, `C:/x` or bare `C:`; checked before schemes so a drive letter is not mistaken for one.
const DRIVE = /^([a-z]):(?=\/|$)/i;
const TRACKING_PARAM = /^(utm_.*|fbclid|gclid)$/i;

/** One-line description of the accepted place forms, for error messages. */
export function formatPlaceForms(): string {
  return (
    'a file path (src/a.ts, ./lib/b.ts, /abs/path), a section of a file (docs/essay.md#Part Two), ' +
    'an http(s) URL (https://example.com/page) or a topic (topic:name, topic:physics/entropy)'
  );
}

function refuse(field: string, problem: string): PhysarumError {
  return invalidInput(field, `${problem}. A place is ${formatPlaceForms()}.`);
}

/**
 * Agents name the same few places over and over: canonical forms already worked out, by root and input. Only
 * places that were accepted are kept (a refusal names the caller's field); bounded by starting over when full.
 */
const known = new Map<string, Readonly<Place>>();
const KNOWN_MAX = 4096;

/** Canonicalises a place given by a human or agent. Throws INVALID_INPUT (naming `field`) if it is malformed. */
export function normalizePlace(input: string, options: PlaceOptions, field = 'place'): Place {
  const memo = typeof input === 'string' ? `${options.root}\u0000${input}` : undefined;
  const hit = memo === undefined ? undefined : known.get(memo);
  if (hit) return { ...hit };
  const place = canonicalPlace(input, options, field);
  if (memo !== undefined) {
    if (known.size >= KNOWN_MAX) known.clear();
    known.set(memo, { ...place });
  }
  return place;
}

function canonicalPlace(input: string, options: PlaceOptions, field: string): Place {
  if (typeof input !== 'string' || input.trim() === '') throw refuse(field, 'is empty');
  if (input.length > MAX_LENGTH) throw refuse(field, `is ${input.length} characters long; the limit is ${MAX_LENGTH}`);
  if (CONTROL_CHARS.test(input)) throw refuse(field, 'contains control characters (newlines, tabs, NUL…); remove them');
  const text = input.trim();

  const place = classify(text, options, field);
  // Canonical forms can grow (percent-encoding, paths made absolute); keep every stored key re-normalisable.
  if (place.key.length > MAX_LENGTH) {
    throw refuse(field, `becomes ${place.key.length} characters once normalised; the limit is ${MAX_LENGTH}`);
  }
  return place;
}

function classify(text: string, options: PlaceOptions, field: string): Place {
  if (TOPIC_PREFIX.test(text)) return { key: normalizeTopic(text.slice('topic:'.length), field), kind: 'topic' };
  const slashed = text.replace(/\\/g, '/');
  if (DRIVE.test(slashed)) return { key: normalizeFile(slashed, options, field), kind: 'file' };
  if (HTTP_SCHEME.test(text)) return { key: normalizeUrl(text, field), kind: 'url' };
  if (FILE_URL.test(text)) return { key: normalizeFile(fileUrlToPath(text, field), options, field), kind: 'file' };
  const scheme = ANY_SCHEME_URL.exec(text)?.[1] ?? REFUSED_SCHEMES.exec(text)?.[1];
  if (scheme !== undefined) {
    throw refuse(field, `uses the unsupported scheme "${scheme.toLowerCase()}:"; only http:, https: and file: URLs are places`);
  }
  return { key: normalizeFile(slashed, options, field), kind: 'file' };
}

// --- topics -----------------------------------------------------------------

function normalizeTopic(name: string, field: string): string {
  // Each level is cleaned on its own so `topic:Physics / Heat Death` matches `topic:physics/heat-death`.
  const levels = name
    .split('/')
    .map((level) => level.trim().toLowerCase().replace(/\s+/g, '-'))
    .filter((level) => level !== '');
  if (levels.length === 0) throw refuse(field, 'is a topic with no name; write topic:<name>');
  return `topic:${levels.join('/')}`;
}

// --- URLs -------------------------------------------------------------------

function normalizeUrl(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse(field, 'is not a valid URL; check the host and the escaping of spaces and special characters');
  }
  // Security: credentials in a URL would be stored in the clear, shown to every agent and written to the change log.
  url.username = '';
  url.password = '';
  // Filtered on the raw text, not via URLSearchParams, so kept parameters keep their exact encoding and order.
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((part) => part !== '' && !TRACKING_PARAM.test(paramName(part)));
  url.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  if (url.hash === '') url.hash = ''; // `#` alone names no section; the setter drops it.
  return url.href;
}

function paramName(part: string): string {
  const raw = part.split('=')[0] ?? '';
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function urlParents(key: string): string[] {
  const url = new URL(key);
  const parents: string[] = [];
  // A section's page comes first, then the page without its query, then its ancestor paths.
  if (url.hash !== '') parents.push(`${url.origin}${url.pathname}${url.search}`);
  if (url.search !== '') parents.push(`${url.origin}${url.pathname}`);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  for (let i = segments.length - 1; i >= 1; i--) parents.push(`${url.origin}/${segments.slice(0, i).join('/')}`);
  parents.push(`${url.origin}/`);
  return [...new Set(parents)].filter((p) => p !== key);
}

// --- files ------------------------------------------------------------------

function fileUrlToPath(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse(field, 'is not a valid file: URL');
  }
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    throw refuse(field, `is a file: URL on another host (${url.hostname}); give a local path`);
  }
  let path: string;
  let section: string;
  try {
    path = decodeURIComponent(url.pathname);
    section = decodeURIComponent(url.hash.slice(1));
  } catch {
    throw refuse(field, 'is a file: URL with malformed %-escapes');
  }
  // Decoding can reveal characters the raw check could not see.
  if (CONTROL_CHARS.test(path) || CONTROL_CHARS.test(section)) throw refuse(field, 'contains control characters once decoded');
  // `file:///C:/x` has the path `/C:/x`; the drive letter belongs at the front.
  if (/^\/[a-z]:(\/|$)/i.test(path)) path = path.slice(1);
  return url.hash === '' ? path : `${path}#${section}`;
}

interface AbsolutePath {
  drive: string; // '' for POSIX, else an upper-case letter followed by ':'
  path: string; // normalised, starts with '/', no trailing slash except the root '/'
}

function toAbsolute(path: string, base: AbsolutePath): AbsolutePath {
  const drive = DRIVE.exec(path);
  if (drive) return { drive: `${(drive[1] ?? '').toUpperCase()}:`, path: clean(path.slice(2)) };
  if (path.startsWith('/')) return { drive: base.drive, path: clean(path) };
  return { drive: base.drive, path: clean(posix.join(base.path, path)) };
}

function clean(path: string): string {
  // posix.normalize stops `..` at `/` and collapses `//`; trailing slashes carry no meaning for a place.
  const normal = posix.normalize(`/${path}`);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

function normalizeRoot(root: string): AbsolutePath {
  const slashed = root.replace(/\\/g, '/');
  // A relative root would make keys depend on the process's working directory; that is a caller bug.
  if (!DRIVE.test(slashed) && !slashed.startsWith('/')) {
    throw new PhysarumError('INTERNAL', `The project root must be an absolute path, got ${JSON.stringify(root)}.`);
  }
  return toAbsolute(slashed, { drive: '', path: '/' });
}

function normalizeFile(text: string, options: PlaceOptions, field: string): string {
  const hash = text.indexOf('#');
  const rawPath = hash === -1 ? text : text.slice(0, hash);
  let section = '';
  if (hash !== -1) {
    section = text.slice(hash + 1).trim().replace(/\s+/g, ' ');
    if (section === '') throw refuse(field, 'has an empty section after "#"; name the section (docs/a.md#Intro) or drop the "#"');
    if (rawPath.trim() === '') throw refuse(field, 'names a section without a file; put the file before "#" (docs/a.md#Intro)');
  }
  const root = normalizeRoot(options.root);
  const key = relativeToRoot(toAbsolute(rawPath.trim(), root), root);
  return section === '' ? key : `${key}#${section}`;
}

function relativeToRoot(abs: AbsolutePath, root: AbsolutePath): string {
  if (abs.drive === root.drive) {
    if (abs.path === root.path) return '.';
    const prefix = root.path === '/' ? '/' : `${root.path}/`;
    if (abs.path.startsWith(prefix)) return abs.path.slice(prefix.length);
  }
  return `${abs.drive}${abs.path}`;
}

function fileParents(key: string): string[] {
  const hash = key.indexOf('#');
  const path = hash === -1 ? key : key.slice(0, hash);
  const parents = hash === -1 ? [] : [path];
  const drive = DRIVE.exec(path)?.[0] ?? '';
  const rest = path.slice(drive.length);
  const absolute = rest.startsWith('/');
  const segments = rest.split('/').filter((s) => s !== '' && s !== '.');
  // Stop before the root (`.`, `/`, `C:/`): a parent that contains everything tells the agent nothing.
  for (let i = segments.length - 1; i >= 1; i--) {
    parents.push(`${drive}${absolute ? '/' : ''}${segments.slice(0, i).join('/')}`);
  }
  return parents;
}

// --- parents ----------------------------------------------------------------

/** The places that contain `place`, nearest first, not including `place` itself. Expects a normalised place. */
export function parentPlaces(place: Place): Place[] {
  const keys = (() => {
    switch (place.kind) {
      case 'topic': {
        const levels = place.key.slice('topic:'.length).split('/');
        const parents: string[] = [];
        for (let i = levels.length - 1; i >= 1; i--) parents.push(`topic:${levels.slice(0, i).join('/')}`);
        return parents;
      }
      case 'url':
        return urlParents(place.key);
      case 'file':
        return fileParents(place.key);
    }
  })();
  return keys.map((key) => ({ key, kind: place.kind }));
}
