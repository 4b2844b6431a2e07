// Reading Claude Code's hook input (JSON on stdin) leniently: unknown fields ignored, wrong types treated as absent.

export const HOOK_EVENTS = ['SessionStart', 'PreToolUse', 'PostToolUse', 'PreCompact', 'Stop', 'SessionEnd'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Tools whose input names a file or folder the agent is about to read, change or search. */
export const PATH_TOOLS: Record<string, { edits: boolean }> = {
  Read: { edits: false },
  Edit: { edits: true },
  MultiEdit: { edits: true },
  Write: { edits: true },
  NotebookEdit: { edits: true },
  NotebookRead: { edits: false },
  Grep: { edits: false },
  Glob: { edits: false },
  LS: { edits: false },
};
export const PATH_TOOL_MATCHER = Object.keys(PATH_TOOLS).join('|');

export interface HookPayload {
  event: HookEvent;
  sessionId: string;
  cwd: string | undefined;
  transcriptPath: string | undefined;
  toolName: string | undefined;
  /** The file or folder a tool works on, if any. */
  path: string | undefined;
  /** SessionStart: startup, resume, clear or compact. */
  source: string | undefined;
  model: string | undefined;
  /** Stop: true when Claude Code is already continuing because of a stop hook. */
  stopHookActive: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

/** Parses the hook input; throws PayloadError (never anything else) when it cannot be used. */
export function parsePayload(raw: string, eventArg: string): HookPayload {
  const event = HOOK_EVENTS.find((e) => e === eventArg);
  if (!event) throw new PayloadError(`unknown hook event ${JSON.stringify(eventArg)}; expected one of ${HOOK_EVENTS.join(', ')}`);
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new PayloadError('hook input is not JSON');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new PayloadError('hook input is not a JSON object');
  const o = data as Record<string, unknown>;
  const sessionId = str(o['session_id']);
  if (!sessionId) throw new PayloadError('hook input has no session_id');
  const toolInput = typeof o['tool_input'] === 'object' && o['tool_input'] !== null ? (o['tool_input'] as Record<string, unknown>) : {};
  const modelField = o['model'];
  const model = str(modelField) ?? (typeof modelField === 'object' && modelField !== null ? str((modelField as Record<string, unknown>)['id']) : undefined);
  return {
    event,
    sessionId,
    cwd: str(o['cwd']),
    transcriptPath: str(o['transcript_path']),
    toolName: str(o['tool_name']),
    path: str(toolInput['file_path']) ?? str(toolInput['notebook_path']) ?? str(toolInput['path']),
    source: str(o['source']),
    model,
    stopHookActive: o['stop_hook_active'] === true,
  };
}
