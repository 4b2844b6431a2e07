// Who an MCP client is in the change log: always an agent, named by register_instance, --instance/$PHYSARUM_INSTANCE, or its client.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../traces/schema.js';

export interface AgentIdentityOptions {
  instance?: string;
  model?: string;
}

/**
 * The agent behind one MCP session. Security: whatever a client says about itself, its role is "agent":
 * no MCP caller can act as a person (approve identity, deposit with human trust, revert).
 */
export class SessionActor {
  private readonly suffix = randomBytes(3).toString('hex');
  private name: string | undefined;
  private model: string | undefined;

  constructor(
    private readonly clientInfo: () => { name: string } | undefined,
    options: AgentIdentityOptions = {},
  ) {
    this.name = options.instance ?? process.env['PHYSARUM_INSTANCE'];
    this.model = options.model ?? process.env['PHYSARUM_MODEL'];
  }

  get(): Actor {
    const client = this.clientInfo()?.name?.replace(/[^\w.-]+/gu, '-').slice(0, 40);
    const name = this.name ?? `${client || 'mcp'}-${this.suffix}`;
    return { name, role: 'agent', ...(this.model ? { model: this.model } : {}) };
  }

  /** After register_instance, the session acts under the registered name. */
  adopt(name: string, model?: string | null): void {
    this.name = name;
    if (model) this.model = model;
  }
}
