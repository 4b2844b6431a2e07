// What the board adds to a briefing after the identity: latest handoffs, unread messages, who is active and what they claim, the start-here trail.
import type { BriefingProvider, BriefingSection } from '../briefing/index.js';
import { formatAge } from '../briefing/index.js';
import { oneLine, quoteBlock } from '../briefing/quote.js';
import { instanceStatus } from './index.js';

/** The authored trail a newcomer is pointed to first. */
export const START_HERE_TRAIL = 'start-here';

function minutesLeft(ms: number): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  return m >= 120 ? `${Math.round(m / 60)}h` : `${m}m`;
}

export const boardBriefing: BriefingProvider = {
  async sections(r, { actor, now }) {
    const sections: BriefingSection[] = [];

    const handoffs = await r.latestHandoffs(3);
    sections.push({
      title: 'Latest handoffs',
      entries: handoffs.map((h) =>
        [
          `- from ${oneLine(h.instance, 64)}, ${formatAge(now - h.createdAt)}`,
          quoteBlock(h.summary),
          ...(h.openThreads.length ? [quoteBlock(`Open threads:\n${h.openThreads.map((t) => `- ${t}`).join('\n')}`)] : []),
          ...(h.traceIds.length ? [`  traces: ${h.traceIds.join(', ')}`] : []),
          ...(h.trails.length ? [`  trails: ${h.trails.map((t) => oneLine(t, 80)).join(', ')}`] : []),
        ].join('\n'),
      ),
    });

    if (actor) {
      const unread = await r.messagesFor({ reader: actor.name, unreadOnly: true, limit: 20 });
      sections.push({
        title: `Unread messages for ${oneLine(actor.name, 64)}`,
        entries: unread.map((m) => `- from ${oneLine(m.from.name, 64)}${m.to ? '' : ' to everyone'}, ${formatAge(now - m.createdAt)}\n${quoteBlock(m.text)}`),
      });
    }

    const instances = (await r.listInstances()).filter((i) => ['active', 'idle'].includes(instanceStatus(i, now)) && i.name !== actor?.name);
    const claims = await r.activeClaims({ now });
    sections.push({
      title: 'Who is working now',
      entries: [
        ...instances.map((i) => {
          const where = i.places.length ? ` · at ${i.places.slice(0, 3).map((p) => oneLine(p, 100)).join(', ')}` : '';
          const last = i.lastCheckIn ? ` · last check-in: ${oneLine(i.lastCheckIn, 160)}` : '';
          return `- ${oneLine(i.name, 64)}${i.model ? ` (${oneLine(i.model, 40)})` : ''} · ${instanceStatus(i, now)}, seen ${formatAge(now - i.lastSeenAt)}${where}${last}`;
        }),
        ...claims.map((c) => `- claim: ${oneLine(c.target, 120)} held by ${oneLine(c.holder, 64)} for ${minutesLeft(c.expiresAt - now)} more${c.note ? ` (${oneLine(c.note, 120)})` : ''}`),
      ],
    });

    const start = await r.getTrail(START_HERE_TRAIL);
    if (start) {
      const traces = new Map((await r.getTraces(start.steps.flatMap((s) => (s.traceId ? [s.traceId] : [])))).map((t) => [t.id, t]));
      sections.push({
        title: `Start here: ${oneLine(start.description || 'the path to read first', 120)}`,
        entries: start.steps.map((s, i) => {
          const t = s.traceId ? traces.get(s.traceId) : undefined;
          const what = s.place ? oneLine(s.place, 120) : t ? `[${t.id}] ${oneLine(t.text, 160)}` : `[${s.traceId}]`;
          return `${i + 1}. ${what}${s.note ? ` (${oneLine(s.note, 160)})` : ''}`;
        }),
      });
    }
    return sections;
  },
};
