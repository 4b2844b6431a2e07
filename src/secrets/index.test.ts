import { describe, expect, it } from 'vitest';
import { redactSecrets } from './index.js';

// Keys are assembled from pieces so this file never holds a contiguous real-looking secret.
const join = (...parts: string[]) => parts.join('');
const ANTHROPIC = join('sk-', 'ant-', 'api03-', 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z');
const OPENAI = join('sk-', 'proj-', 'Zy9xWv8uTs7rQp6oNm5lKj4iHg3f');
const OPENAI_PLAIN = join('sk-', 'Qw8eRt7yUi6oPa5sDf4gHj3kLz2x');
const AWS_ID = join('AKIA', 'Q4XJ7N2M5P8R3T6W');
const AWS_SECRET = join('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCYzR2b8c9d0e');
const GITHUB = join('ghp_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8');
const GITHUB_PAT = join('github_pat_', '11ABCDEFG0123456789_abcdefghijklmnop');
const SLACK = join('xoxb-', '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx');
const GOOGLE = join('AIza', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q');
const STRIPE = join('sk_', 'live_', '51HxYzAbCdEfGhIjKlMnOpQr');
const JWT = join('eyJ', 'hbGciOiJIUzI1NiJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U');
const PEM = join('-----BEGIN ', 'RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1x2y3z\nq9w8e7r6t5y4u3i2o1p\n-----END RSA ', 'PRIVATE KEY-----');

describe('redactSecrets()', () => {
  it.each([
    ['anthropic_key', ANTHROPIC],
    ['openai_key', OPENAI],
    ['openai_key', OPENAI_PLAIN],
    ['aws_access_key', AWS_ID],
    ['github_token', GITHUB],
    ['github_token', GITHUB_PAT],
    ['slack_token', SLACK],
    ['google_api_key', GOOGLE],
    ['stripe_key', STRIPE],
    ['jwt', JWT],
    ['private_key', PEM],
  ])('redacts a %s and reports it', (kind, secret) => {
    const r = redactSecrets(`before ${secret} after`);
    expect(r.text).toBe(`before [REDACTED:${kind}] after`);
    expect(r.redactions).toEqual([{ kind, count: 1 }]);
  });

  it('classes an Anthropic key as anthropic_key, not openai_key', () => {
    expect(redactSecrets(ANTHROPIC).redactions).toEqual([{ kind: 'anthropic_key', count: 1 }]);
  });

  it('redacts a labelled AWS secret key but keeps the label', () => {
    const r = redactSecrets(`aws_secret_access_key = ${AWS_SECRET}`);
    expect(r.text).toBe('aws_secret_access_key = [REDACTED:aws_secret_key]');
  });

  it.each(['AWS_SECRET_ACCESS_KEY', 'SecretAccessKey', 'aws_secret_key'])('redacts an AWS secret key labelled %s, in any case', (label) => {
    expect(redactSecrets(`${label}: "${AWS_SECRET}"`).text).toBe(`${label}: "[REDACTED:aws_secret_key]"`);
  });

  it('redacts a bearer token whatever the case of the header', () => {
    expect(redactSecrets('AUTHORIZATION: BEARER abcdef0123456789abcdef').text).toBe('AUTHORIZATION: BEARER [REDACTED:bearer_token]');
  });

  it('returns text without secrets unchanged, with nothing reported', () => {
    const text = 'The retry loop in src/http/client.ts never caps its delay; cap it at 30 s. See https://example.com/retries.';
    expect(redactSecrets(text)).toEqual({ text, redactions: [] });
  });

  it('redacts only the password of a URL with credentials', () => {
    const r = redactSecrets('db at postgres://app:hunter2pass@db.internal:5432/main ok');
    expect(r.text).toBe('db at postgres://app:[REDACTED:url_password]@db.internal:5432/main ok');
    expect(r.redactions).toEqual([{ kind: 'url_password', count: 1 }]);
  });

  it('redacts a bearer token in an Authorization header', () => {
    const r = redactSecrets('curl -H "Authorization: Bearer abcdef0123456789abcdef" https://api.example.com');
    expect(r.text).toContain('Authorization: Bearer [REDACTED:bearer_token]');
  });

  it('redacts a private key block whose END line is missing, to the end of the text', () => {
    const r = redactSecrets(`key:\n${join('-----BEGIN ', 'OPENSSH PRIVATE KEY-----')}\nb3BlbnNzaC1rZXktdjEAAAAA`);
    expect(r.text).toBe('key:\n[REDACTED:private_key]');
  });

  it('counts repeats and several kinds in one text, sorted by kind', () => {
    const r = redactSecrets(`${GITHUB} and ${AWS_ID} and again ${GITHUB}`);
    expect(r.redactions).toEqual([
      { kind: 'aws_access_key', count: 1 },
      { kind: 'github_token', count: 2 },
    ]);
  });

  it('is idempotent: redacting redacted text changes and reports nothing', () => {
    const once = redactSecrets(`${OPENAI} postgres://u:pw123456@h/db ${PEM}`);
    const twice = redactSecrets(once.text);
    expect(twice.text).toBe(once.text);
    expect(twice.redactions).toEqual([]);
  });

  it.each([
    ['a git SHA', 'fixed in 3f2c9a1b7d4e8f60a1b2c3d4e5f60718293a4b5c'],
    ['a UUID', 'session 123e4567-e89b-12d3-a456-426614174000'],
    ['hyphenated words', 'the task-runner and the desk-lamp and the risk-assessment-framework-document'],
    ['sk- with a short word', 'we use sk-learn for this'],
    ['a URL without a password', 'see https://user@example.com/a:b@c and https://example.com/path'],
    ['an email address', 'write to ren@example.org'],
    ['an SSH public key', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ren@laptop'],
    ['a public key block', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----'],
    ['a certificate', '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkq\n-----END CERTIFICATE-----'],
    ['base64 image data', 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='],
  ])('leaves %s alone', (_what, text) => {
    const r = redactSecrets(text);
    expect(r.text).toBe(text);
    expect(r.redactions).toEqual([]);
  });

  it('finishes on a megabyte of near-misses', () => {
    const text = `${'sk- '.repeat(100_000)}${'-----BEGIN '.repeat(20_000)}${'xoxb-'.repeat(20_000)}`;
    const r = redactSecrets(text);
    // The bare "sk- " prefixes are not keys and stay as they were.
    expect(r.text.startsWith('sk- '.repeat(100_000))).toBe(true);
  });
});
