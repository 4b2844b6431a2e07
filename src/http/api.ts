// The JSON API: read-only GET routes over the core, for scripts and the web viewer (its writes are in viewer.ts).
import type { Physarum } from '../physarum.js';
import type { ErrorCode } from '../errors/index.js';
import { invalidInput } from '../errors/index.js';
import { toTraceView, toTraceWithAnnotationsView } from '../traces/view.js';
import { toEventView } from '../palimpsest/view.js';
import { toBoardView } from '../board/view.js';
import { toIdentityView } from '../identity/view.js';
import { toStrengthSeriesView } from '../strength/view.js';
import { toTrailMapView, toTrailView, toTrailWithTracesView } from '../trails/view.js';
import { decodeSegment } from './security.js';

/** HTTP status for each error code; the compiler checks the table is complete. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  STORAGE_UNAVAILABLE: 503,
  STORAGE_CORRUPT: 500,
  STORAGE_FULL: 507,
  INTERNAL: 500,
};

function num(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw invalidInput(key, `must be a number, got ${JSON.stringify(v)}`);
  return n;
}
function list(q: URLSearchParams, key: string): string[] | undefined {
  const all = q.getAll(key);
  return all.length > 0 ? all : undefined;
}
/** `{ [key]: v }`, or nothing when `v` is absent: optional fields without `undefined` values. */
export function opt<K extends string, V>(key: K, v: V | undefined | null): { [P in K]?: V } {
  return (v === undefined || v === null ? {} : { [key]: v }) as { [P in K]?: V };
}

type Route = (p: Physarum, q: URLSearchParams, match: RegExpExecArray) => Promise<unknown>;

const routes: Array<[RegExp, Route]> = [
  [/^\/api\/info$/u, (p) => p.info()],
  [
    /^\/api\/search$/u,
    async (p, q) => {
      const r = await p.search({
        query: q.get('query') ?? q.get('q') ?? '',
        ...opt('place', q.get('place')),
        ...opt('kind', list(q, 'kind') as never),
        ...opt('tag', list(q, 'tag')),
        ...opt('author', q.get('author')),
        ...opt('since', q.get('since')),
        ...opt('status', list(q, 'status') as never),
        ...opt('limit', num(q, 'limit')),
      });
      return { terms: r.terms, results: r.results.map((x) => ({ ...toTraceView(x.trace), score: x.score, parts: x.parts })) };
    },
  ],
  [
    /^\/api\/sense$/u,
    async (p, q) => {
      const r = await p.sense({ place: q.get('place') ?? '', parents: q.get('parents') === 'true', ...opt('limit', num(q, 'limit')) });
      return { place: r.place, next: r.next, results: r.results.map((x) => ({ ...toTraceView(x.trace), score: x.score, at: x.at })) };
    },
  ],
  [
    /^\/api\/traces\/([^/]+)$/u,
    async (p, _q, m) => toTraceWithAnnotationsView(await p.get(decodeSegment(m[1]))),
  ],
  [
    /^\/api\/history$/u,
    async (p, q) =>
      ({
        events: (
          await p.history({
            ...opt('id', q.get('id')),
            ...opt('actor', q.get('actor')),
            ...opt('type', list(q, 'type') as never),
            ...opt('since', q.get('since')),
            ...opt('before', num(q, 'before')),
            ...opt('after', num(q, 'after')),
            ...opt('limit', num(q, 'limit')),
          })
        ).map(toEventView),
      }),
  ],
  [
    /^\/api\/brief$/u,
    (p, q) =>
      p.brief({ ...opt('weight', q.get('weight') as never), ...opt('budget', num(q, 'budget')), ...opt('focus', q.get('focus')), ...opt('place', q.get('place')) }),
  ],
  [/^\/api\/traces\/([^/]+)\/strength$/u, async (p, _q, m) => toStrengthSeriesView(await p.strengthSeries({ id: decodeSegment(m[1]) }))],
  [/^\/api\/identity$/u, async (p) => toIdentityView(await p.identity())],
  [/^\/api\/map$/u, async (p, q) => toTrailMapView(await p.trailMap({ ...opt('traces', num(q, 'traces')), ...opt('edges', num(q, 'edges')) }))],
  [/^\/api\/board$/u, async (p) => toBoardView(await p.board())],
  [/^\/api\/trails$/u, async (p) => ({ trails: (await p.trails()).map(toTrailView) })],
  [/^\/api\/trails\/([^/]+)$/u, async (p, _q, m) => toTrailWithTracesView(await p.trail(decodeSegment(m[1])))],
];

/** Finds the route for a GET path; undefined when none matches. */
export function matchApi(path: string): ((p: Physarum, q: URLSearchParams) => Promise<unknown>) | undefined {
  for (const [re, route] of routes) {
    const m = re.exec(path);
    if (m) return (p, q) => route(p, q, m);
  }
  return undefined;
}
