// Where each place sits on the trail map: places of a group in a sunflower spiral (strongest in the middle),
// groups packed in rows, biggest first. Deterministic, so the map looks the same on every load.
import type { MapPlace } from '../api.js';

export interface Node extends MapPlace {
  x: number;
  y: number;
  r: number;
  /** Position by strength over the whole map, 0 for the strongest. */
  rank: number;
}

export interface Group {
  name: string;
  x: number;
  y: number;
  r: number;
  places: number;
  strength: number;
}

export interface Layout {
  nodes: Node[];
  groups: Group[];
  byKey: Map<string, Node>;
  width: number;
  height: number;
}

const GOLDEN = Math.PI * (3 - Math.sqrt(5));
const SPACING = 11;
const GAP = 40;

export function radiusOf(strength: number): number {
  return Math.min(14, 2.5 + Math.sqrt(strength) * 1.6);
}

export function layout(places: MapPlace[]): Layout {
  const ranked = [...places].sort((a, b) => b.strength - a.strength || a.key.localeCompare(b.key));
  const rank = new Map(ranked.map((p, i) => [p.key, i]));
  const grouped = new Map<string, MapPlace[]>();
  for (const p of ranked) {
    const g = grouped.get(p.group);
    if (g) g.push(p);
    else grouped.set(p.group, [p]);
  }
  const clusters = [...grouped.entries()].map(([name, members]) => ({
    name,
    members,
    r: SPACING * Math.sqrt(members.length) + 16,
    strength: members.reduce((s, p) => s + p.strength, 0),
  }));
  clusters.sort((a, b) => b.r - a.r || b.strength - a.strength || a.name.localeCompare(b.name));
  const area = clusters.reduce((s, c) => s + (2 * c.r + GAP) ** 2, 0);
  const rowWidth = Math.max(Math.sqrt(area) * 1.3, (clusters[0]?.r ?? 0) * 2 + GAP);
  const nodes: Node[] = [];
  const groups: Group[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const c of clusters) {
    const d = 2 * c.r + GAP;
    if (x > 0 && x + d > rowWidth) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const cx = x + d / 2;
    const cy = y + d / 2;
    groups.push({ name: c.name, x: cx, y: cy, r: c.r, places: c.members.length, strength: c.strength });
    c.members.forEach((p, i) => {
      const dist = SPACING * Math.sqrt(i + 0.5);
      nodes.push({ ...p, x: cx + dist * Math.cos(i * GOLDEN), y: cy + dist * Math.sin(i * GOLDEN), r: radiusOf(p.strength), rank: rank.get(p.key) ?? 0 });
    });
    x += d;
    rowHeight = Math.max(rowHeight, d);
    width = Math.max(width, x);
  }
  return { nodes, groups, byKey: new Map(nodes.map((n) => [n.key, n])), width, height: y + rowHeight };
}

/** The node under a point (in map coordinates), allowing `slack` beyond its radius; the nearest wins. */
export function nodeAt(l: Layout, x: number, y: number, slack: number): Node | undefined {
  let best: Node | undefined;
  let bestD = Infinity;
  for (const n of l.nodes) {
    const d = Math.hypot(n.x - x, n.y - y);
    if (d <= n.r + slack && d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}
