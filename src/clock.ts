// Time source for everything that depends on "now"; injected so strength and leases are deterministic in tests.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and replays. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A time as every door shows it (CLI --json, the JSON API, MCP results): an ISO 8601 string in UTC. */
export function iso(t: number): string {
  return new Date(t).toISOString();
}

/** `iso()` of an optional time; null stays null. */
export function isoOrNull(t: number | null): string | null {
  return t === null ? null : iso(t);
}
