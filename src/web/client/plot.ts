// A small SVG line plot of strength over time.
const NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function strengthPlot(series: Array<{ at: string; strength: number }>, label: string): SVGElement {
  const W = 520;
  const H = 150;
  const pad = { l: 36, r: 10, t: 10, b: 24 };
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': label });
  const points = series.map((p) => ({ at: Date.parse(p.at), strength: p.strength }));
  if (points.length === 0) return svg;
  const t0 = points[0]?.at ?? 0;
  const t1 = points.at(-1)?.at ?? t0 + 1;
  const max = Math.max(...points.map((p) => p.strength), 0.1) * 1.1;
  const x = (t: number) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (W - pad.l - pad.r);
  const y = (s: number) => H - pad.b - (s / max) * (H - pad.t - pad.b);
  svg.append(el('line', { x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b, class: 'axis' }));
  svg.append(el('line', { x1: pad.l, y1: pad.t, x2: pad.l, y2: H - pad.b, class: 'axis' }));
  for (const s of [0, max / 2, max]) svg.append(el('text', { x: pad.l - 4, y: y(s) + 4, 'text-anchor': 'end', class: 'tick' }, s.toFixed(1)));
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  svg.append(el('text', { x: pad.l, y: H - 6, class: 'tick' }, day(t0)));
  svg.append(el('text', { x: W - pad.r, y: H - 6, 'text-anchor': 'end', class: 'tick' }, day(t1)));
  svg.append(el('polyline', { points: points.map((p) => `${x(p.at).toFixed(1)},${y(p.strength).toFixed(1)}`).join(' '), class: 'line' }));
  const last = points.at(-1);
  if (last) svg.append(el('circle', { cx: x(last.at), cy: y(last.strength), r: 3, class: 'dot' }));
  return svg;
}
