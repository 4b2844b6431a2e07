// What every CLI command gets: the opened store, the person running it, and the output printer.
import { userInfo } from 'node:os';
import { type Command, InvalidArgumentError } from 'commander';
import { openPhysarum } from '../open.js';
import type { Physarum } from '../physarum.js';
import type { Actor } from '../traces/schema.js';
import { makeOut, type Out } from './output.js';

export interface GlobalOptions {
  store?: string;
  json?: boolean;
  as?: string;
  instance?: string;
}

export interface CliContext {
  physarum: Physarum;
  actor: Actor;
  out: Out;
}

/** Who runs the command: an agent instance with --instance, else the person at the keyboard (--as, $PHYSARUM_USER, the OS user). */
export function cliActor(options: GlobalOptions): Actor {
  if (options.instance) return { name: options.instance, role: 'agent', ...(process.env['PHYSARUM_MODEL'] ? { model: process.env['PHYSARUM_MODEL'] } : {}) };
  let name = options.as ?? process.env['PHYSARUM_USER'];
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'person';
    }
  }
  return { name, role: 'human' };
}

/** Opens the store for one command, runs it, and always closes the store. */
export async function withStore(cmd: Command, fn: (c: CliContext) => Promise<void>): Promise<void> {
  const options = cmd.optsWithGlobals<GlobalOptions>();
  const physarum = await openPhysarum(options.store ? { store: options.store } : {});
  try {
    await fn({ physarum, actor: cliActor(options), out: makeOut(options.json === true) });
  } finally {
    await physarum.close();
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function int(field: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${field} must be a whole number, got ${JSON.stringify(value)}`);
    return n;
  };
}
