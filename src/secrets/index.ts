// Finds secrets (API keys, tokens, private keys, passwords in URLs) in text and redacts them before anything is stored.

export type SecretKind =
  | 'anthropic_key'
  | 'openai_key'
  | 'aws_access_key'
  | 'aws_secret_key'
  | 'github_token'
  | 'slack_token'
  | 'private_key'
  | 'url_password'
  | 'bearer_token'
  | 'google_api_key'
  | 'stripe_key'
  | 'jwt';

export interface Redaction {
  kind: SecretKind;
  count: number;
}

export interface RedactResult {
  text: string;
  redactions: Redaction[];
}

interface Pattern {
  kind: SecretKind;
  re: RegExp;
  /** Replaces the match; defaults to the whole match becoming [REDACTED:kind]. */
  replace?: (match: string, ...groups: string[]) => string;
}

const tag = (kind: SecretKind) => `[REDACTED:${kind}]`;

// Security: order matters: more specific shapes first (sk-ant- before sk-), whole PEM blocks before anything inside them.
// Every pattern is linear: bounded or simple character classes, no nested quantifiers.
const PATTERNS: Pattern[] = [
  {
    kind: 'private_key',
    re: /-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)/gu,
  },
  { kind: 'anthropic_key', re: /\bsk-ant-[A-Za-z0-9_-]{20,}/gu },
  { kind: 'stripe_key', re: /\b(?:sk|rk)_live_[A-Za-z0-9]{16,}/gu },
  { kind: 'openai_key', re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/gu },
  // The AWS documentation's example id (AKIAIOSFODNN7EXAMPLE) is redacted too: a paste cannot be told from prose.
  { kind: 'aws_access_key', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/gu },
  {
    kind: 'aws_secret_key',
    re: /((?:aws_secret_access_key|secretaccesskey|aws_secret_key)["']?\s*[:=]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/giu,
    replace: (_m, label) => `${label}${tag('aws_secret_key')}`,
  },
  { kind: 'github_token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/gu },
  { kind: 'slack_token', re: /\bxox[baprse]-[A-Za-z0-9-]{10,}/gu },
  { kind: 'google_api_key', re: /\bAIza[0-9A-Za-z_-]{35}/gu },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/gu },
  {
    kind: 'bearer_token',
    re: /(\bAuthorization\s*:\s*Bearer\s+)([A-Za-z0-9._~+/=-]{16,})/giu,
    replace: (_m, label) => `${label}${tag('bearer_token')}`,
  },
  {
    // scheme://user:password@host: only the password is replaced; the authority part never contains / ? # or @.
    kind: 'url_password',
    re: /(\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:/?#@]+:)([^\s/?#@]+)(@)/giu,
    replace: (_m, head, _pw, at) => `${head}${tag('url_password')}${at}`,
  },
];

/**
 * A literal that every pattern above needs somewhere in its match (compared ignoring case, so it may match more).
 * Most text holds none of them: one scan for these then stands in for a scan per pattern.
 * A new pattern needs its literal here too.
 */
const HINT = /-----BEGIN|sk-|_live_|AKIA|ASIA|secret|gh[pousr]_|github_pat_|xox|AIza|eyJ|bearer|:\/\//i;

/** Replaces every secret in `text` with [REDACTED:<kind>] and reports how many of each kind. */
export function redactSecrets(text: string): RedactResult {
  if (!HINT.test(text)) return { text, redactions: [] };
  const counts = new Map<SecretKind, number>();
  let out = text;
  for (const p of PATTERNS) {
    out = out.replace(p.re, (match: string, ...rest: unknown[]) => {
      const groups = rest.filter((g): g is string => typeof g === 'string');
      if (p.kind === 'url_password' && groups[1] === tag('url_password')) return match;
      counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
      return p.replace ? p.replace(match, ...groups) : tag(p.kind);
    });
  }
  const redactions = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => ({ kind, count }));
  return { text: out, redactions };
}
