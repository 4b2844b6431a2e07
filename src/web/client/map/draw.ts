// Drawing the trail map on a canvas: trails as lines weighted by strength, places as discs sized by strength.
import type { MapEdge } from '../api.js';
import type { Layout, Node } from './layout.js';

export interface View {
  scale: number;
  /** Screen position of map point (0, 0), in CSS pixels. */
  tx: number;
  ty: number;
}

export interface DrawOptions {
  edges: MapEdge[];
  /** Places that match the filter; null when there is no filter. */
  matches: Set<string> | null;
  minEdge: number;
  showEmergent: boolean;
  showAuthored: boolean;
  hover: Node | undefined;
  selected: Node | undefined;
}

const KIND_COLOUR: Record<Node['kind'], string> = { file: '#2f7d4f', url: '#2a62b8', topic: '#8a3fa0' };
const LABELS_ZOOMED_OUT = 25;
/** Above this many places, a zoomed-out map draws trails between groups (summed) instead of between places. */
const AGGREGATE_ABOVE = 300;
const AGGREGATE_BELOW_SCALE = 1.6;
const MAX_GROUP_EDGES = 150;

interface GroupEdge {
  from: string;
  to: string;
  strength: number;
}
/** Per edge list, the grouping for the filter settings it was last drawn with (redraws on zoom reuse it). */
const groupEdgeCache = new WeakMap<MapEdge[], { filter: string; grouped: GroupEdge[] }>();

/** Emergent and authored edges summed per pair of groups (edges inside a group are left out). */
function groupEdges(l: Layout, edges: MapEdge[], o: DrawOptions): GroupEdge[] {
  const filter = `${o.showEmergent}|${o.showAuthored}|${o.minEdge}`;
  let cached = groupEdgeCache.get(edges)?.filter === filter ? groupEdgeCache.get(edges)?.grouped : undefined;
  if (!cached) {
    const sums = new Map<string, GroupEdge>();
    for (const e of edges) {
      if (e.kind === 'emergent' ? !o.showEmergent : !o.showAuthored) continue;
      if (e.kind === 'emergent' && e.strength < o.minEdge) continue;
      const a = l.byKey.get(e.from)?.group;
      const b = l.byKey.get(e.to)?.group;
      if (!a || !b || a === b) continue;
      const [from, to] = a < b ? [a, b] : [b, a];
      const k = `${from}\n${to}`;
      const g = sums.get(k);
      if (g) g.strength += e.strength;
      else sums.set(k, { from, to, strength: e.strength });
    }
    cached = [...sums.values()].sort((a, b) => b.strength - a.strength);
    groupEdgeCache.set(edges, { filter, grouped: cached });
  }
  return cached;
}

/** Greedy label placement: a label that would overlap one already drawn is skipped. */
class Labels {
  private readonly boxes: Array<[number, number, number, number]> = [];
  fits(x: number, y: number, w: number, h: number): boolean {
    for (const [bx, by, bw, bh] of this.boxes) if (x < bx + bw && bx < x + w && y < by + bh && by < y + h) return false;
    this.boxes.push([x, y, w, h]);
    return true;
  }
}

export function fit(l: Layout, width: number, height: number): View {
  // Room around the map for the group names above the discs.
  const scale = Math.min(width / (l.width + 160), height / (l.height + 60), 4);
  return { scale, tx: (width - l.width * scale) / 2, ty: (height - l.height * scale) / 2 };
}

export function draw(ctx: CanvasRenderingContext2D, l: Layout, view: View, o: DrawOptions, size: { width: number; height: number }): void {
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, size.width, size.height);
  ctx.setTransform(dpr * view.scale, 0, 0, dpr * view.scale, dpr * view.tx, dpr * view.ty);

  // Group discs and names first, underneath everything.
  ctx.lineWidth = 1 / view.scale;
  for (const g of l.groups) {
    ctx.beginPath();
    ctx.arc(g.x, g.y, g.r, 0, Math.PI * 2);
    ctx.fillStyle = 'rgba(120,110,90,0.06)';
    ctx.fill();
    ctx.strokeStyle = 'rgba(120,110,90,0.25)';
    ctx.stroke();
  }

  // Trails, bucketed by width so thousands of edges cost a few strokes. A large map seen from afar shows trails
  // between groups, plus the focused place's own.
  const focus = o.selected ?? o.hover;
  const aggregate = l.nodes.length > AGGREGATE_ABOVE && view.scale < AGGREGATE_BELOW_SCALE;
  if (aggregate) {
    const centre = new Map(l.groups.map((g) => [g.name, g]));
    // The strongest routes between groups only: hundreds of faint lines would hide them.
    const list = groupEdges(l, o.edges, o);
    const max = Math.max(1, ...list.map((g) => g.strength));
    ctx.strokeStyle = 'rgba(50,75,125,0.45)';
    for (const g of list.slice(0, MAX_GROUP_EDGES)) {
      const a = centre.get(g.from);
      const b = centre.get(g.to);
      if (!a || !b) continue;
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.lineWidth = (0.5 + 7 * Math.sqrt(g.strength / max)) / view.scale;
      ctx.stroke();
    }
  }
  const buckets = new Map<string, MapEdge[]>();
  for (const e of o.edges) {
    if (aggregate && (focus === undefined || (e.from !== focus.key && e.to !== focus.key))) continue;
    if (e.kind === 'emergent' ? !o.showEmergent : !o.showAuthored) continue;
    if (e.kind === 'emergent' && e.strength < o.minEdge) continue;
    const lit = focus !== undefined && (e.from === focus.key || e.to === focus.key);
    const w = e.kind === 'authored' ? 2 : Math.min(8, 0.6 + Math.log1p(e.strength) * 1.6);
    const key = `${e.kind}|${lit ? 1 : 0}|${w.toFixed(1)}`;
    const b = buckets.get(key);
    if (b) b.push(e);
    else buckets.set(key, [e]);
  }
  for (const [key, edges] of buckets) {
    const [kind, lit, w] = key.split('|');
    ctx.beginPath();
    for (const e of edges) {
      const a = l.byKey.get(e.from);
      const b = l.byKey.get(e.to);
      if (!a || !b) continue;
      ctx.moveTo(a.x, a.y);
      if (kind === 'authored') ctx.quadraticCurveTo((a.x + b.x) / 2 + (b.y - a.y) * 0.15, (a.y + b.y) / 2 - (b.x - a.x) * 0.15, b.x, b.y);
      else ctx.lineTo(b.x, b.y);
    }
    ctx.lineWidth = Number(w) / Math.sqrt(view.scale);
    ctx.strokeStyle = kind === 'authored' ? (lit === '1' ? 'rgba(214,110,20,0.95)' : 'rgba(214,110,20,0.6)') : lit === '1' ? 'rgba(30,60,120,0.8)' : 'rgba(70,90,130,0.22)';
    ctx.setLineDash(kind === 'authored' ? [6 / view.scale, 3 / view.scale] : []);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  // Places, by kind, dimmed when a filter is set and they do not match.
  for (const n of l.nodes) {
    const dim = o.matches !== null && !o.matches.has(n.key);
    ctx.beginPath();
    ctx.arc(n.x, n.y, n.r, 0, Math.PI * 2);
    ctx.globalAlpha = dim ? 0.12 : 0.85;
    ctx.fillStyle = KIND_COLOUR[n.kind];
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  for (const n of [o.hover, o.selected]) {
    if (!n) continue;
    ctx.beginPath();
    ctx.arc(n.x, n.y, n.r + 3 / view.scale, 0, Math.PI * 2);
    ctx.lineWidth = 2 / view.scale;
    ctx.strokeStyle = '#111';
    ctx.stroke();
  }

  // Labels in screen space so they stay legible: group names, then the strongest places (all of them when zoomed in).
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.textBaseline = 'middle';
  ctx.font = '600 12px system-ui, sans-serif';
  ctx.fillStyle = '#4a4030';
  ctx.textAlign = 'left';
  const labels = new Labels();
  // Strongest groups first, so they keep their names when space runs out.
  for (const g of [...l.groups].sort((a, b) => b.strength - a.strength)) {
    const text = `${g.name} (${g.places})`;
    const w = ctx.measureText(text).width;
    const sx = Math.min(Math.max(2, g.x * view.scale + view.tx - w / 2), size.width - w - 2);
    const sy = (g.y - g.r) * view.scale + view.ty - 8;
    if (g.r * view.scale > 12 && sx > -w && sx < size.width && sy > -20 && sy < size.height + 20 && labels.fits(sx - 2, sy - 8, w + 4, 16)) ctx.fillText(text, sx, sy);
  }
  ctx.font = '12px system-ui, sans-serif';
  const order = focus ? [focus, ...l.nodes] : l.nodes;
  for (const n of order) {
    const show = n === focus || (o.matches ? o.matches.has(n.key) && o.matches.size <= 60 : false) || n.rank < LABELS_ZOOMED_OUT || view.scale > 2.2;
    if (!show) continue;
    const sx = n.x * view.scale + view.tx + n.r * view.scale + 4;
    const sy = n.y * view.scale + view.ty;
    if (sx < -10 || sx > size.width || sy < -10 || sy > size.height + 10) continue;
    const label = n.key.length > 48 ? `…${n.key.slice(-47)}` : n.key;
    if (!labels.fits(sx, sy - 7, ctx.measureText(label).width, 14) && n !== focus) continue;
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(255,253,247,0.9)';
    ctx.strokeText(label, sx, sy);
    ctx.fillStyle = '#1d1a14';
    ctx.fillText(label, sx, sy);
  }
}
