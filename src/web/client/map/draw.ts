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

export function fit(l: Layout, width: number, height: number): View {
  const scale = Math.min(width / (l.width + 40), height / (l.height + 40), 4);
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

  // Trails, bucketed by width so thousands of edges cost a few strokes.
  const focus = o.selected ?? o.hover;
  const buckets = new Map<string, MapEdge[]>();
  for (const e of o.edges) {
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
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.fillStyle = '#4a4030';
  for (const g of l.groups) {
    const sx = g.x * view.scale + view.tx;
    const sy = (g.y - g.r) * view.scale + view.ty - 8;
    if (g.r * view.scale > 18 && sx > -200 && sx < size.width + 200 && sy > -20 && sy < size.height + 20) {
      ctx.textAlign = 'center';
      ctx.fillText(`${g.name} (${g.places})`, sx, sy);
    }
  }
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'left';
  for (const n of l.nodes) {
    const show = n === focus || (o.matches ? o.matches.has(n.key) && o.matches.size <= 60 : false) || n.rank < LABELS_ZOOMED_OUT || view.scale > 2.2;
    if (!show) continue;
    const sx = n.x * view.scale + view.tx + n.r * view.scale + 4;
    const sy = n.y * view.scale + view.ty;
    if (sx < -10 || sx > size.width || sy < -10 || sy > size.height + 10) continue;
    const label = n.key.length > 48 ? `…${n.key.slice(-47)}` : n.key;
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(255,253,247,0.9)';
    ctx.strokeText(label, sx, sy);
    ctx.fillStyle = '#1d1a14';
    ctx.fillText(label, sx, sy);
  }
}
