// The viewer section of the benchmarks page, rendered from `bench/viewer.mjs --json`.
import { fmt, fmtBytes, machineLine } from './markdown.mjs';

export const name = 'viewer';
export const file = 'viewer.json';
export const command = ['bench/viewer.mjs', '--json'];
const shown = 'npm run bench:viewer';

export function targets(v) {
  return [
    {
      target: `trail map first render < ${v.targetMs.toLocaleString('en')} ms with ${v.store.places.toLocaleString('en')} places and ${v.store.traces.toLocaleString('en')} traces (p50)`,
      measured: `${fmt(v.firstRenderMs.p50, 0)} ms`,
      ok: v.firstRenderMs.p50 < v.targetMs,
    },
  ];
}

export function render(v) {
  const runs = v.firstRenderMs.runs?.length ?? 0;
  return [
    `## Viewer: \`${shown}\``,
    '',
    `Machine: ${machineLine(v.machine)}.`,
    '',
    `Headless Chromium (Debian's, driven by playwright-core) loads the trail map of a store with ${v.store.places.toLocaleString('en')} places, ` +
      `${v.store.traces.toLocaleString('en')} traces and ${v.store.events.toLocaleString('en')} events (${v.store.summary}); ${runs} page loads, ` +
      `navigation start to the map drawn: first ${fmt(v.firstRenderMs.cold, 0)} ms, p50 ${fmt(v.firstRenderMs.p50, 0)} ms, max ${fmt(v.firstRenderMs.max, 0)} ms. ` +
      `\`GET /api/map\` (${fmtBytes(v.store.mapJsonBytes)}) takes p50 ${fmt(v.apiMapMs.p50, 0)} ms of that. See [viewer](viewer.md).`,
  ].join('\n');
}
