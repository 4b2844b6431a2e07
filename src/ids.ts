// Sortable unique ids (ULID: 48-bit time + 80-bit randomness, Crockford base32), monotonic within a process.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
let lastRandom: number[] = [];

function encodeTime(t: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** Random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = POOL_BYTES;

function freshRandom(): number[] {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const digits: number[] = [];
  for (let i = 0; i < 16; i++) digits.push((pool[poolAt + i] ?? 0) % 32);
  poolAt += 16;
  // Keep headroom in the first digit so monotonic increments never overflow.
  digits[0] = (digits[0] ?? 0) % 16;
  return digits;
}

/** A new ULID. Ids made in the same millisecond by this process still sort in creation order. */
export function newId(time: number = Date.now()): string {
  if (time <= lastTime) {
    // Same (or earlier, if the clock stepped back) millisecond: increment the random part.
    for (let i = lastRandom.length - 1; i >= 0; i--) {
      const d = (lastRandom[i] ?? 0) + 1;
      if (d < 32) {
        lastRandom[i] = d;
        break;
      }
      lastRandom[i] = 0;
    }
    time = lastTime;
  } else {
    lastTime = time;
    lastRandom = freshRandom();
  }
  return encodeTime(time) + lastRandom.map((d) => ALPHABET[d]).join('');
}

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isId(s: string): boolean {
  return ULID_RE.test(s);
}
