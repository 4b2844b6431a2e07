// Hash routes (#/map, #/trace/<id>, …) to pages, and the live change feed pages subscribe to while shown.
import type { LogEvent } from './api.js';
import { h } from './dom.js';

/** Renders into `root`; may return a function that undoes its global listeners when the page is left. */
export type Page = (root: HTMLElement, params: URLSearchParams, arg: string) => Promise<(() => void) | void> | (() => void) | void;

export interface Route {
  name: string;
  arg: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/u, '').split('?');
  const [name = '', ...rest] = path.split('/');
  return { name: name || 'map', arg: safeDecode(rest.join('/')), params: new URLSearchParams(query) };
}

/** A malformed escape (`#/trace/%`) is shown as written rather than leaving the page blank. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const changeListeners = new Set<(e: LogEvent) => void>();

/** Calls `fn` for each new change-log event until the returned function is called. */
export function onChange(fn: (e: LogEvent) => void): () => void {
  changeListeners.add(fn);
  return () => changeListeners.delete(fn);
}

/** Follows /api/live; the browser reconnects by itself, resuming after the last event it saw. */
export function startLive(status: HTMLElement): void {
  const source = new EventSource('/api/live');
  source.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'live on';
  });
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting';
    status.className = 'live off';
  });
  source.addEventListener('change', (m) => {
    const e = JSON.parse((m as MessageEvent<string>).data) as LogEvent;
    for (const fn of changeListeners) fn(e);
  });
}

export function errorBox(e: unknown): HTMLElement {
  const message = e instanceof Error ? e.message : String(e);
  return h('p', { class: 'error', role: 'alert' }, message);
}
