// Every time a door sends (CLI --json, the JSON API, MCP results) is an ISO 8601 string in UTC, or null.

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/u;

/** Fields named like times: `createdAt`, `expiresAt`…, `now`, and `at` (except in sense results, where it names the place a trace was found at). */
const isTimeKey = (key: string, at: boolean): boolean => /[a-z]At$/u.test(key) || key === 'now' || (at && key === 'at');

/**
 * The paths of time fields in `value` that hold anything but an ISO string or null, and how many it saw set
 * (so a check over a shape whose times are all missing or null does not pass by finding none). An event's `data` and a
 * trace's `meta` are kept as written and are not walked.
 */
export function timeFields(value: unknown, options: { at?: boolean } = {}): { bad: string[]; seen: number } {
  const at = options.at ?? true;
  const out = { bad: [] as string[], seen: 0 };
  const walk = (v: unknown, p: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'data' || k === 'meta') continue;
        if (isTimeKey(k, at)) {
          if (x !== null) out.seen += 1;
          if (!(x === null || (typeof x === 'string' && ISO.test(x)))) out.bad.push(`${p}.${k} = ${JSON.stringify(x)}`);
        } else walk(x, `${p}.${k}`);
      }
    }
  };
  walk(value, '$');
  return out;
}
