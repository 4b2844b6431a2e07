// Who an MCP client is in the change log: always an agent, named by --instance/$PHYSARUM_INSTANCE or by its client.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../traces/schema.js';

export interface AgentIdentityOptions {
  instance?: string;
  model?: string;
}

/**
 * Security: whatever a client says about itself, its actor role is "agent": no MCP caller can act as a person
 * (approve identity, deposit with human trust, revert).
 */
export function agentActor(clientInfo: () => { name: string } | undefined, options: AgentIdentityOptions = {}): () => Actor {
  const suffix = randomBytes(3).toString('hex');
  const instance = options.instance ?? process.env['PHYSARUM_INSTANCE'];
  const model = options.model ?? process.env['PHYSARUM_MODEL'];
  return () => {
    const client = clientInfo()?.name?.replace(/[^\w.-]+/gu, '-').slice(0, 40);
    return { name: instance ?? `${client || 'mcp'}-${suffix}`, role: 'agent', ...(model ? { model } : {}) };
  };
}
