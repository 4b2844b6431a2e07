// The trail map page: places grouped by folder or topic, trails as weighted lines, a place's strongest traces on hover or click.
import { get, type MapEdge, type MapPlace, type Trace } from '../api.js';
import { field, h, replace, route, snippet } from '../dom.js';
import { draw, fit, type View } from '../map/draw.js';
import { layout, nodeAt, type Layout, type Node } from '../map/layout.js';
import type { Page } from '../router.js';

interface MapData {
  places: MapPlace[];
  edges: MapEdge[];
  truncated: boolean;
}

const senseCache = new Map<string, Promise<Trace[]>>();
function strongestAt(place: string, limit: number): Promise<Trace[]> {
  const key = `${place}\n${limit}`;
  let p = senseCache.get(key);
  if (!p) {
    p = get<{ results: Trace[] }>('/api/sense', { place, limit: String(limit) }).then((r) => r.results);
    senseCache.set(key, p);
    p.catch(() => senseCache.delete(key));
  }
  return p;
}

function traceList(traces: Trace[]): HTMLElement {
  if (traces.length === 0) return h('p', { class: 'muted' }, 'No live traces here (a place on a trail only).');
  return h(
    'ol',
    { class: 'traces' },
    ...traces.map((t) => h('li', {}, h('a', { href: route(`trace/${encodeURIComponent(t.id)}`) }, snippet(t.text, 160)), h('span', { class: 'meta' }, ` ${t.kind} · ${(t.score ?? t.strength).toFixed(2)} · ${t.author.name}`))),
  );
}

export const mapPage: Page = async (root) => {
  senseCache.clear();
  const filter = h('input', { type: 'search', name: 'filter', placeholder: 'src/, topic:, a host…', autocomplete: 'off' });
  const minEdge = h('input', { type: 'range', name: 'min-edge', min: '0', max: '5', step: '0.1', value: '0' });
  const emergent = h('input', { type: 'checkbox', name: 'emergent', checked: true });
  const authored = h('input', { type: 'checkbox', name: 'authored', checked: true });
  const canvas = h('canvas', { class: 'map-canvas', tabindex: '0', role: 'img', 'aria-label': 'Trail map. Arrow keys pan, plus and minus zoom, 0 fits.' });
  const tip = h('div', { class: 'tip', role: 'tooltip', hidden: true });
  const panel = h('aside', { class: 'panel', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Hover over or click a place to see its strongest traces.'));
  const summary = h('p', { class: 'summary' }, 'Loading the map…');
  const list = h('ul', { class: 'place-list', 'aria-label': 'Matching places' });
  const zoom = (f: number) => h('button', { type: 'button', 'aria-label': f > 1 ? 'Zoom in' : 'Zoom out', onclick: () => zoomBy(f) }, f > 1 ? '+' : '−');
  root.append(
    h('h1', {}, 'Trail map'),
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': 'Map controls' },
      field('Filter places', filter),
      field('Hide emergent trails weaker than', minEdge),
      h('label', { class: 'check' }, emergent, ' emergent trails'),
      h('label', { class: 'check' }, authored, ' authored trails'),
      zoom(1.5),
      zoom(1 / 1.5),
      h('button', { type: 'button', onclick: () => refit() }, 'Fit'),
    ),
    summary,
    h('div', { class: 'map-wrap' }, h('div', { class: 'map-stage' }, canvas, tip), h('div', { class: 'side' }, panel, h('h2', {}, 'Places'), list)),
  );

  const data = await get<MapData>('/api/map');
  const l: Layout = layout(data.places);
  const authoredCount = data.edges.filter((e) => e.kind === 'authored').length;
  summary.textContent = `${data.places.length} places in ${l.groups.length} groups · ${data.edges.length - authoredCount} emergent and ${authoredCount} authored trail edges${data.truncated ? ' · the weakest traces are left off' : ''}`;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser has no 2D canvas');
  let size = { width: 0, height: 0 };
  let view: View = { scale: 1, tx: 0, ty: 0 };
  let matches: Set<string> | null = null;
  let hover: Node | undefined;
  let selected: Node | undefined;
  let frame = 0;

  const render = () => {
    frame = 0;
    draw(ctx, l, view, { edges: data.edges, matches, minEdge: Number(minEdge.value), showEmergent: emergent.checked, showAuthored: authored.checked, hover, selected }, size);
  };
  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(render);
  };
  const resize = () => {
    const r = canvas.getBoundingClientRect();
    size = { width: Math.max(200, r.width), height: Math.max(200, r.height) };
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.width * dpr);
    canvas.height = Math.round(size.height * dpr);
  };
  const refit = () => {
    view = fit(l, size.width, size.height);
    redraw();
  };
  function zoomBy(f: number, cx = size.width / 2, cy = size.height / 2): void {
    const scale = Math.min(40, Math.max(0.05, view.scale * f));
    view = { scale, tx: cx - ((cx - view.tx) * scale) / view.scale, ty: cy - ((cy - view.ty) * scale) / view.scale };
    redraw();
  }

  const select = async (n: Node | undefined) => {
    selected = n;
    redraw();
    if (!n) return;
    const out = data.edges.filter((e) => e.from === n.key).sort((a, b) => b.strength - a.strength).slice(0, 5);
    replace(panel,
      h('h2', {}, n.key),
      h('p', { class: 'meta' }, `${n.kind} in ${n.group} · ${n.traces} traces · strength ${n.strength.toFixed(2)}`),
      h('p', {}, h('a', { href: route('search', { query: '', place: n.key }) }, 'Search at this place')),
      h('h3', {}, 'Strongest traces'),
      h('p', { class: 'muted' }, 'Loading…'),
      out.length ? h('h3', {}, 'Went on to') : null,
      out.length ? h('ul', {}, ...out.map((e) => h('li', {}, `${e.to} `, h('span', { class: 'meta' }, e.kind === 'authored' ? `trail ${e.trail ?? ''}` : `${e.count ?? 0} moves · ${e.strength.toFixed(2)}`)))) : null,
    );
    const traces = await strongestAt(n.key, 8);
    if (selected === n) panel.querySelector('p.muted')?.replaceWith(traceList(traces));
  };

  const showTip = async (n: Node | undefined, x: number, y: number) => {
    if (!n) {
      tip.hidden = true;
      return;
    }
    tip.hidden = false;
    tip.style.left = `${Math.min(x + 14, size.width - 260)}px`;
    tip.style.top = `${y + 14}px`;
    tip.replaceChildren(h('strong', {}, n.key), h('div', { class: 'meta' }, `${n.traces} traces · strength ${n.strength.toFixed(2)}`));
    const traces = await strongestAt(n.key, 3);
    if (hover === n) tip.append(h('ul', {}, ...traces.map((t) => h('li', {}, snippet(t.text, 90)))));
  };

  const applyFilter = () => {
    const q = filter.value.trim().toLowerCase();
    matches = q ? new Set(l.nodes.filter((n) => n.key.toLowerCase().includes(q) || n.group.toLowerCase().includes(q)).map((n) => n.key)) : null;
    const shown = l.nodes.filter((n) => !matches || matches.has(n.key)).sort((a, b) => a.rank - b.rank).slice(0, 40);
    replace(list,
      ...shown.map((n) => h('li', {}, h('button', { type: 'button', class: 'linkish', onclick: () => void select(n) }, n.key), h('span', { class: 'meta' }, ` ${n.strength.toFixed(1)}`))),
      matches && matches.size > shown.length ? h('li', { class: 'muted' }, `… and ${matches.size - shown.length} more`) : null,
    );
    redraw();
  };

  const toMap = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    const sx = e.clientX - r.left;
    const sy = e.clientY - r.top;
    return { sx, sy, x: (sx - view.tx) / view.scale, y: (sy - view.ty) / view.scale };
  };
  let drag: { x: number; y: number; moved: boolean } | undefined;
  canvas.addEventListener('mousedown', (e) => (drag = { x: e.clientX, y: e.clientY, moved: false }));
  window.addEventListener('mouseup', () => setTimeout(() => (drag = undefined)));
  canvas.addEventListener('mousemove', (e) => {
    if (drag && e.buttons === 1) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      view = { ...view, tx: view.tx + dx, ty: view.ty + dy };
      drag.x = e.clientX;
      drag.y = e.clientY;
      redraw();
      return;
    }
    const p = toMap(e);
    const n = nodeAt(l, p.x, p.y, 4 / view.scale);
    if (n !== hover) {
      hover = n;
      canvas.style.cursor = n ? 'pointer' : 'grab';
      redraw();
      void showTip(n, p.sx, p.sy);
    }
  });
  canvas.addEventListener('mouseleave', () => {
    hover = undefined;
    tip.hidden = true;
    redraw();
  });
  canvas.addEventListener('click', (e) => {
    if (drag?.moved) return;
    const p = toMap(e);
    void select(nodeAt(l, p.x, p.y, 4 / view.scale));
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const p = toMap(e);
    zoomBy(e.deltaY < 0 ? 1.2 : 1 / 1.2, p.sx, p.sy);
  }, { passive: false });
  canvas.addEventListener('keydown', (e) => {
    const step = 60;
    const moves: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[e.key];
    if (m) view = { ...view, tx: view.tx + m[0], ty: view.ty + m[1] };
    else if (e.key === '+' || e.key === '=') zoomBy(1.3);
    else if (e.key === '-') zoomBy(1 / 1.3);
    else if (e.key === '0') refit();
    else return;
    e.preventDefault();
    redraw();
  });
  filter.addEventListener('input', applyFilter);
  for (const c of [minEdge, emergent, authored]) c.addEventListener('input', redraw);
  const onResize = () => {
    resize();
    redraw();
  };
  window.addEventListener('resize', onResize);

  resize();
  view = fit(l, size.width, size.height);
  applyFilter();
  render();
  canvas.dataset['rendered'] = String(data.places.length);
  performance.mark('physarum:map-rendered');
  // For automation (browser tests, accessibility tools): where a place is drawn, in viewport pixels.
  const automation = window as unknown as { physarumMap?: { locate(key: string): { x: number; y: number } | null } };
  automation.physarumMap = {
    locate: (key) => {
      const n = l.byKey.get(key);
      const r = canvas.getBoundingClientRect();
      return n ? { x: r.left + n.x * view.scale + view.tx, y: r.top + n.y * view.scale + view.ty } : null;
    },
  };
  return () => {
    window.removeEventListener('resize', onResize);
    delete automation.physarumMap;
  };
};
