// What every core operation works with: the storage, the clock and the project root.
import type { Clock } from './clock.js';
import type { Storage } from './storage/types.js';

export interface Context {
  storage: Storage;
  clock: Clock;
  /** Absolute project root; file places are stored relative to it. */
  root: string;
}
