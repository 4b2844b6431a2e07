// The speed section of the benchmarks page, rendered from `bench/speed.mjs --json`.
import { fmt, fmtBytes, fmtMs, machineLine, mdTable, p50p99, targetLine } from './markdown.mjs';

export const name = 'speed';
export const file = 'speed.json';
/** The sizes can be chosen (`--sizes`); the page says which ran. */
export const command = (sizes) => ['bench/speed.mjs', '--json', '--sizes', sizes];
export const shownCommand = (sizes) => `npm run bench:speed -- --sizes ${sizes}`;

/** speed.mjs computes its targets from its figures (targetsOf); shown as measured. */
export function targets(s) {
  return (s.targets ?? []).map((t) => ({
    target: t.target,
    measured: t.unit ? `${fmt(t.value, t.unit === '×' ? 1 : 0)}${t.unit}` : `${fmtMs(t.value)} ms`,
    ok: t.ok,
  }));
}

export function render(s) {
  const out = [];
  const sizes = s.inProcess.map((r) => r.size).join(',');
  out.push(`## Speed: \`${shownCommand(sizes || s.sizes.join(','))}\``);
  out.push('');
  out.push(`Machine: ${machineLine(s.machine)}.`);
  out.push('');
  if (s.inProcess.length > 0) {
    out.push(
      'In-process through the library. Synthetic traces from a seeded generator (`bench/lib/synth.mjs`: Zipf-distributed engineering words, ~2,000 places, ' +
        '24 agents and 3 people). The bulk load is one `deposit()` per trace, one at a time, with durability `normal` (its rate is deposits per second); the ' +
        'durable deposits after it use the default, `full`. Searches are 1–4 words with limit 10, one at a time; briefings are `standard`. p50 / p99 in ms:',
    );
    out.push('');
    out.push(
      mdTable(
        ['traces', 'bulk load', 'deposit (durable)', 'search', 'searches/s', 'briefing', 'briefing, focus', 'briefing, place', 'sense', 'RSS', 'store'],
        s.inProcess.map((r) => [
          r.size.toLocaleString('en'),
          `${Math.round(r.load.perSecond).toLocaleString('en')}/s`,
          p50p99(r.depositFull),
          p50p99(r.search),
          `${Math.round(r.search.perSecond).toLocaleString('en')}/s`,
          p50p99(r.briefStandard),
          p50p99(r.briefFocus),
          p50p99(r.briefPlace),
          p50p99(r.sense),
          fmtBytes(r.rssBytes),
          fmtBytes(r.storeBytes),
        ]),
      ),
    );
    const profiled = s.inProcess.filter((r) => r.profile?.ms?.rank);
    if (profiled.length > 0) {
      out.push('');
      out.push(
        'Where a search’s text ranking spends its time (the product’s ranking module timed alone on the same store), beside what exact FTS5 BM25 over every ' +
          'query word costs (FTS5 scores every trace that holds any of the words), and how much of that exact top 10 the product keeps:',
      );
      out.push('');
      out.push(
        mdTable(
          ['traces', 'words (common)', 'ranking', 'exact BM25 over all words', 'exact top 10 kept'],
          profiled.map((r) => [
            r.size.toLocaleString('en'),
            `${fmt(r.profile.meanWords, 1)} (${fmt(r.profile.meanCommonWords, 1)})`,
            p50p99(r.profile.ms.rank),
            p50p99(r.profile.ms.exactAllWords),
            `${fmt(100 * r.profile.top10OverlapWithExact, 0)}%`,
          ]),
        ),
      );
      out.push('');
      out.push(
        'The synthetic vocabulary is small and skewed, so most query words are common ones; there the product ranks the newest traces holding them by their ' +
          'BM25 weight, and exact BM25 prefers older short traces, which is why the overlap is low. Recall on real questions with that path forced is in the recall section.',
      );
    }
  }
  if (s.mcp?.length) {
    out.push('');
    out.push('Over MCP stdio with a real SDK client, against `@modelcontextprotocol/server-memory` doing the equivalent operations, p50 / p99 ms:');
    out.push('');
    const label = (m) => (m.durability ? `Physarum (durability ${m.durability})` : 'server-memory');
    const mem = s.mcp.find((m) => !m.durability);
    const ratio = (m, st, f) => {
      const other = mem?.stages.find((x) => x.items === st.items);
      return m.durability && other ? `${fmt(other[f].p50 / st[f].p50, 1)}×` : '';
    };
    const rows = [];
    for (const m of s.mcp) {
      for (const st of m.stages) {
        rows.push([
          label(m),
          st.items.toLocaleString('en'),
          p50p99(st.write),
          ratio(m, st, 'write'),
          p50p99(st.search),
          ratio(m, st, 'search'),
          fmtBytes(st.meanSearchResponseBytes),
          p50p99(st.brief),
          st.brief ? ratio(m, st, 'brief') : '',
          st.brief ? fmtBytes(st.meanBriefResponseBytes) : 'n/a',
        ]);
      }
    }
    out.push(
      mdTable(
        ['', 'items', 'write', 'write p50 vs server-memory', 'search', 'search p50 vs server-memory', 'search response', 'briefing', 'briefing p50 vs server-memory', 'briefing response'],
        rows,
      ),
    );
    out.push('');
    out.push(
      'Writes are `deposit_trace` against `create_entities` for the first note at a place and `add_observations` after it; searches are one word, ' +
        '`search_traces` (limit 10) against `search_nodes`; the briefing is `get_briefing` (standard, about 4,000 tokens: identity, then the strongest ' +
        'relevant traces) against `read_graph`, the whole graph, which is how an agent using server-memory sees what is stored.',
    );
    const rounds = s.mcp[0].rounds?.length ?? 1;
    if (rounds > 1) {
      out.push('');
      out.push(`Each server ran ${rounds} times, the servers in turn; at each size the table above shows the round with the middle write p50. Write p50 of every round, ms:`);
      out.push('');
      out.push(
        mdTable(
          ['', 'items', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)],
          s.mcp.flatMap((m) => m.stages.map((st, i) => [label(m), st.items.toLocaleString('en'), ...m.rounds.map((r) => fmtMs(r.stages[i].write))])),
        ),
      );
    }
    const budget = writeBudget(s, mem);
    if (budget) {
      out.push('');
      out.push(budget);
    }
    out.push('');
    out.push(
      'Durability `full` (the default) syncs every commit to disk: an acknowledged write survives a killed process and a power cut. `normal` ' +
        '(`PHYSARUM_DURABILITY=normal`) survives a killed process and may lose the last commits to a power cut. server-memory writes its whole ' +
        'graph to a new file and renames it over the old one on every write, without syncing either: like `normal`, safe from a killed process, not from a power cut. ' +
        'So the 50× write target compares like with like, `normal` against server-memory; the ratio with `full` is reported beside it, for a write that also survives a power cut.',
    );
  }
  if (s.concurrency?.length) {
    out.push('');
    out.push('Write loss with concurrent clients on one store:');
    out.push('');
    out.push(mdTable(['server', 'clients × writes', 'acknowledged', 'stored', 'lost'], s.concurrency.map((c) => [c.server, `${c.clients} × ${c.perClient}`, c.acknowledged, c.stored, c.lost])));
  }
  out.push('');
  out.push('Targets:');
  out.push('');
  for (const t of targets(s)) out.push(targetLine(t));
  return out.join('\n');
}

/**
 * What a write may take for the 50× target at the largest common size, beside the two parts no tool call
 * avoids on that machine: an empty round trip on the same connection (ping) and the deposit itself in process.
 */
function writeBudget(s, mem) {
  const items = Math.max(...(mem?.stages ?? []).map((x) => x.items));
  const theirs = mem?.stages.find((x) => x.items === items)?.write.p50;
  const local = s.inProcess?.find((r) => r.size === items);
  if (!theirs || !local) return undefined;
  const parts = [];
  for (const m of s.mcp) {
    const ours = m.stages.find((x) => x.items === items)?.write.p50;
    const inProcess = m.durability === 'normal' ? local.depositNormal?.p50 : m.durability === 'full' ? local.depositFull?.p50 : undefined;
    if (!m.durability || ours === undefined || inProcess === undefined || !m.ping) continue;
    parts.push(
      `With durability ${m.durability}, an empty round trip (ping) alone took ${fmtMs(m.ping.p50)} ms and a deposit in process alone ${fmtMs(inProcess)} ms; ` +
        `deposit_trace over MCP took ${fmtMs(ours)} ms`,
    );
  }
  if (parts.length === 0) return undefined;
  const floor = s.syncFloor
    ? ` The disk alone, with no database, took ${fmtMs(s.syncFloor.page.p50)} ms for a synced 4 KiB write and ${fmtMs(s.syncFloor.commit.p50)} ms for a ` +
      'synced 64 KiB one (about what a deposit adds to the WAL), written in place and followed by `fdatasync`.'
    : '';
  return `For writes 50× faster than server-memory at ${items.toLocaleString('en')} items, a write would have ${fmtMs(theirs / 50)} ms (its p50 ÷ 50). ` +
    `On this machine (p50s, which do not add exactly). ${parts.join('. ')}.${floor}`;
}
