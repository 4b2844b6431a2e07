// MCP tools for the board: register, check in, claim, release, message, read messages, hand off, see the board.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import type { Physarum } from '../physarum.js';
import { briefInput } from '../briefing/index.js';
import { checkInInput, claimInput, handoffInput, postMessageInput, registerInput, releaseInput } from '../board/types.js';
import { boardJsonView, claimView, instanceView, messageView, toBoardView, toClaimView, toInstanceView, toMessageView } from '../board/view.js';
import { iso } from '../clock.js';
import type { SessionActor } from './actor.js';
import { READ, WRITE, answer } from './tool.js';
import { toTraceView, traceView } from '../traces/view.js';
import { limitSchema } from '../traces/schema.js';

export function registerBoardTools(server: McpServer, physarum: Physarum, session: SessionActor): void {
  const actor = () => session.get();

  server.registerTool(
    'register_instance',
    {
      title: 'Register this instance',
      description:
        'Call at the start of a session: registers this instance (or resumes one with the same name) and returns the welcome briefing: identity, latest handoffs, who is active and what they claim, your unread messages, and the start-here trail.',
      inputSchema: registerInput.extend({ weight: briefInput.shape.weight, budget: briefInput.shape.budget }).shape,
      outputSchema: { instance: instanceView, resumed: z.boolean(), briefing: z.string(), tokens: z.number() },
      annotations: { title: 'Register this instance', ...WRITE, idempotentHint: true },
    },
    async ({ weight, budget, ...input }) =>
      answer(
        async () => {
          const r = await physarum.register(input, actor(), { ...(weight ? { weight } : {}), ...(budget ? { budget } : {}) });
          session.adopt(r.instance.name, r.instance.model);
          return {
            instance: toInstanceView(r.instance),
            resumed: r.resumed,
            briefing: r.briefing.text,
            tokens: r.briefing.tokens,
          };
        },
        (o) => o.briefing,
      ),
  );

  server.registerTool(
    'check_in',
    {
      title: 'Check in',
      description: 'At a pause, say what was done and what is next (and where you are working). Kept as a trace at those places and shown on the board.',
      inputSchema: checkInInput.shape,
      outputSchema: { trace: traceView },
      annotations: { title: 'Check in', ...WRITE },
    },
    async (args) => answer(async () => ({ trace: toTraceView((await physarum.checkIn(args, actor())).trace) }), (o) => `Checked in (${o.trace.id})`),
  );

  server.registerTool(
    'claim',
    {
      title: 'Claim a place or task',
      description: 'Take a lease on a place or a named task so other instances do not step on it (default 15m; call again to renew). Fails with CONFLICT naming the holder if someone else holds it.',
      inputSchema: claimInput.shape,
      outputSchema: { claim: claimView, renewed: z.boolean() },
      annotations: { title: 'Claim a place or task', ...WRITE, idempotentHint: true },
    },
    async (args) =>
      answer(
        async () => {
          const r = await physarum.claim(args, actor());
          return { claim: toClaimView(r.claim), renewed: r.renewed };
        },
        (o) => `${o.renewed ? 'Renewed' : 'Claimed'} ${o.claim.target} until ${o.claim.expiresAt}`,
      ),
  );

  server.registerTool(
    'release_claim',
    {
      title: 'Release a claim',
      description: 'Release your claim on a place or task (by place, task or claim id).',
      inputSchema: releaseInput.shape,
      outputSchema: { claim: claimView },
      annotations: { title: 'Release a claim', ...WRITE, idempotentHint: true },
    },
    async (args) => answer(async () => ({ claim: toClaimView(await physarum.release(args, actor())) }), (o) => `Released ${o.claim.target}`),
  );

  server.registerTool(
    'post_message',
    {
      title: 'Post a message',
      description: 'Post a message to one instance (to) or to everyone. It appears in their briefing until read.',
      inputSchema: postMessageInput.shape,
      outputSchema: { message: messageView },
      annotations: { title: 'Post a message', ...WRITE },
    },
    async (args) => answer(async () => ({ message: toMessageView(await physarum.postMessage(args, actor())) }), (o) => `Posted ${o.message.id}`),
  );

  server.registerTool(
    'read_messages',
    {
      title: 'Read messages',
      description: 'Your messages (to you or to everyone), newest first; unread only by default, and marks them read.',
      inputSchema: { all: z.boolean().default(false).describe('include messages already read'), limit: limitSchema(500, 50) },
      outputSchema: { messages: z.array(messageView) },
      annotations: { title: 'Read messages', ...WRITE, idempotentHint: true },
    },
    async (args) =>
      answer(
        async () => ({ messages: (await physarum.readMessages({ unreadOnly: !args.all, limit: args.limit }, actor())).map(toMessageView) }),
        (o) => (o.messages.length ? o.messages.map((m) => `${m.from.name}: ${m.text}`).join('\n') : 'No unread messages.'),
      ),
  );

  server.registerTool(
    'write_handoff',
    {
      title: 'Write a handoff',
      description: 'Before you end (or when the context is nearly full): summary, open threads, and pointers to traces and trails. The next briefing on the project leads with it. Ends the instance and releases its claims unless end=false.',
      inputSchema: handoffInput.shape,
      outputSchema: { id: z.string(), instance: z.string(), createdAt: z.string() },
      annotations: { title: 'Write a handoff', ...WRITE },
    },
    async (args) =>
      answer(
        async () => {
          const h = await physarum.writeHandoff(args, actor());
          return { id: h.id, instance: h.instance, createdAt: iso(h.createdAt) };
        },
        (o) => `Handoff ${o.id} written`,
      ),
  );

  server.registerTool(
    'get_board',
    {
      title: 'See the board',
      description: 'What is happening now: instances and their status, live claims with lease ends, recent messages and handoffs.',
      inputSchema: {},
      outputSchema: boardJsonView.shape,
      annotations: { title: 'See the board', ...READ },
    },
    async () =>
      answer(
        async () => toBoardView(await physarum.board()),
        (o) => JSON.stringify(o),
      ),
  );
}
