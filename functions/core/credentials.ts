/**
 * The plaintext-credential detector: does a plain `String` parameter look like it holds a secret?
 * Used by the drift job (`plaintext-secret` findings) and `steward check`. It errs towards silence on
 * the values configuration is full of (UUIDs, content hashes, URLs, base64 of ordinary JSON, feature
 * names), because a detector that cries wolf every night gets its tickets ignored.
 *
 * Deliberate blind spot: a random secret made only of hex digits looks exactly like a content hash,
 * so it is caught only by its name.
 */

export interface CredentialVerdict {
  readonly matched: boolean;
  /** Why it matched, naming the rule; never the value. */
  readonly reason?: string;
}

const CREDENTIAL_WORDS: readonly (readonly string[])[] = [
  ['password'],
  ['passwd'],
  ['pwd'],
  ['passphrase'],
  ['secret'],
  ['token'],
  ['apikey'],
  ['api', 'key'],
  ['accesskey'],
  ['access', 'key'],
  ['privatekey'],
  ['private', 'key'],
  ['signing', 'key'],
  ['encryption', 'key'],
  ['credential'],
  ['credentials'],
  ['bearer'],
  ['dsn'],
];

/**
 * A last name segment that says the parameter holds something ABOUT a credential (its reference,
 * lifetime, header name, ...) rather than the credential.
 */
const METADATA_QUALIFIERS = new Set([
  'ref',
  'reference',
  'arn',
  'name',
  'id',
  'ttl',
  'url',
  'uri',
  'endpoint',
  'path',
  'length',
  'len',
  'min',
  'max',
  'expiry',
  'expires',
  'lifetime',
  'age',
  'rotation',
  'header',
  'prefix',
  'policy',
  'enabled',
  'required',
  'file',
  'location',
  'timeout',
  'duration',
  'seconds',
  'minutes',
  'days',
  'type',
  'format',
  'version',
  'count',
  'size',
  'field',
  'param',
  'parameter',
  'issuer',
  'audience',
  'algorithm',
  'scope',
  'scopes',
]);

const VALUE_RULES: readonly { readonly reason: string; readonly pattern: RegExp }[] = [
  { reason: 'private key block', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { reason: 'AWS access key id', pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { reason: 'GitHub token', pattern: /(?<![A-Za-z0-9_])(?:gh[pousr])_[A-Za-z0-9]{36,}/ },
  { reason: 'GitHub fine-grained token', pattern: /github_pat_[A-Za-z0-9_]{22,}/ },
  { reason: 'Slack token', pattern: /(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/ },
  {
    reason: 'Slack webhook URL',
    pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/,
  },
  { reason: 'Stripe secret key', pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/ },
  { reason: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/ },
  { reason: 'JSON web token', pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/ },
  { reason: 'password in a URL', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@[^\s]/i },
  { reason: 'password in a connection string', pattern: /(?:^|[;&?\s])(?:password|pwd)=[^;&\s]{3,}/i },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;
const TOKEN_CHARS = /^[A-Za-z0-9+/=_.~-]+$/;
const MIN_RANDOM_LENGTH = 20;
const MIN_ENTROPY_BITS = 3.8;

/**
 * Whether a plain parameter looks like a credential, by its name or its value.
 *
 * @example
 * looksLikeCredential('db-password', 'x')                 // { matched: true, reason: 'name suggests a credential (password)' }
 * looksLikeCredential('request-id', '3f2b...-uuid')       // { matched: false }
 * looksLikeCredential('github', 'ghp_...')                // { matched: true, reason: 'GitHub token' }
 */
export function looksLikeCredential(name: string, value: string): CredentialVerdict {
  for (const rule of VALUE_RULES) {
    if (rule.pattern.test(value)) return { matched: true, reason: rule.reason };
  }
  const word = credentialWord(name);
  if (word && holdsSomething(value)) return { matched: true, reason: `name suggests a credential (${word})` };
  if (value.split(/\s+/).some(looksRandom)) return { matched: true, reason: 'high-entropy string' };
  return { matched: false };
}

/** The credential word in the last segment of a parameter name, unless a qualifier follows it. */
function credentialWord(name: string): string | undefined {
  const last = name.split('/').filter(Boolean).pop() ?? '';
  const tokens = last
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (tokens.length === 0) return undefined;
  if (METADATA_QUALIFIERS.has(tokens[tokens.length - 1] ?? '')) return undefined;
  for (const words of CREDENTIAL_WORDS) {
    for (let i = 0; i + words.length <= tokens.length; i++) {
      if (words.every((w, j) => tokens[i + j] === w)) return words.join(' ');
    }
  }
  return undefined;
}

/** A value a credential could be: not empty, a flag, a number or a reference to a secret store. */
function holdsSomething(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return false;
  if (/^(true|false|yes|no|on|off|none|null|changeme)$/i.test(v)) return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return false;
  if (/^arn:aws[a-z-]*:(secretsmanager|ssm|kms):/.test(v)) return false;
  if (v.startsWith('{{resolve:')) return false;
  return true;
}

/** A long token that looks machine-generated rather than written by a person. */
function looksRandom(token: string): boolean {
  if (token.length < MIN_RANDOM_LENGTH || !TOKEN_CHARS.test(token)) return false;
  if (UUID.test(token) || HEX.test(token)) return false;
  const hasUpper = /[A-Z]/.test(token);
  const hasLower = /[a-z]/.test(token);
  const hasDigit = /[0-9]/.test(token);
  if (!(hasUpper && hasLower && hasDigit)) return false;
  if (decodesToText(token)) return false;
  return shannonEntropy(token) >= MIN_ENTROPY_BITS;
}

/** Base64 of ordinary text (JSON, a sentence) is encoding, not a secret. */
function decodesToText(token: string): boolean {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) return false;
  const decoded = Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (decoded.length < 8) return false;
  let printable = 0;
  for (const byte of decoded)
    if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x09) printable++;
  return printable / decoded.length > 0.97;
}

function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
