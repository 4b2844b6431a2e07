// The speed benchmark's targets, computed from its figures (bench/speed.mjs's JSON): each is the figure, the
// threshold it is held to, and whether it was met. A figure with `ok: undefined` is reported beside the targets
// without being one. Printed by the harness and the benchmarks page; never asserted.

/**
 * @param {{ inProcess?: any[], mcp?: any[], concurrency?: any[] }} result
 * @returns {{ target: string, value: number, ok: boolean | undefined, unit?: string }[]}
 */
export function speedTargets(result) {
  const t = [];
  const at = (n) => result.inProcess?.find((r) => r.size === n);
  for (const r of result.inProcess ?? []) {
    t.push({ target: `in-process deposit p50 ≤ 1 ms (${r.size.toLocaleString('en')}, durability full)`, value: r.depositFull.p50, ok: r.depositFull.p50 <= 1 });
  }
  if (at(100_000)) t.push({ target: 'search p50 ≤ 10 ms at 100k', value: at(100_000).search.p50, ok: at(100_000).search.p50 <= 10 });
  if (at(1_000_000)) {
    t.push({ target: 'search p50 ≤ 30 ms at 1M', value: at(1_000_000).search.p50, ok: at(1_000_000).search.p50 <= 30 });
    const b = at(1_000_000);
    for (const [name, s] of [['standard', b.briefStandard], ['focus', b.briefFocus], ['place', b.briefPlace]]) {
      t.push({ target: `briefing (${name}) p50 ≤ 50 ms at 1M`, value: s.p50, ok: s.p50 <= 50 });
    }
  }
  const phys = result.mcp?.find((m) => m.server === 'physarum');
  const mem = result.mcp?.find((m) => m.server === 'memory');
  if (phys) {
    t.push({ target: 'MCP stdio round trip p50 ≤ 5 ms (ping)', value: phys.ping.p50, ok: phys.ping.p50 <= 5 });
    for (const st of phys.stages) {
      t.push({ target: `MCP stdio round trip p50 ≤ 5 ms (deposit_trace at ${st.items})`, value: st.write.p50, ok: st.write.p50 <= 5 });
      t.push({ target: `MCP stdio round trip p50 ≤ 5 ms (search_traces at ${st.items})`, value: st.search.p50, ok: st.search.p50 <= 5 });
    }
  }
  // Like for like: server-memory renames a new file over the old one on every write and never syncs, which is what
  // durability normal promises (safe from a killed process, not from a power cut). Durability full, Physarum's
  // default, also syncs each write to the disk before acknowledging it; its ratio is reported beside the target.
  const m10 = mem?.stages.find((s) => s.items === 10_000);
  for (const p of result.mcp ?? []) {
    const p10 = p.durability ? p.stages.find((s) => s.items === 10_000) : undefined;
    if (!p10 || !m10) continue;
    const ratio = m10.write.p50 / p10.write.p50;
    if (p.durability === 'normal') {
      t.push({ target: 'writes ≥ 50× faster than server-memory at 10k (p50 ratio, like for like: durability normal, neither server syncs)', value: ratio, ok: ratio >= 50, unit: '×' });
    } else {
      t.push({ target: `for comparison, no target: writes vs server-memory at 10k with durability ${p.durability} (each write synced to disk; server-memory never syncs)`, value: ratio, ok: undefined, unit: '×' });
    }
  }
  for (const c of result.concurrency ?? []) {
    if (c.server === 'physarum') t.push({ target: `no lost writes, ${c.clients} concurrent clients (physarum)`, value: c.lost + (c.attempted - c.acknowledged), ok: c.lost === 0 && c.acknowledged === c.attempted, unit: ' lost' });
  }
  return t;
}
