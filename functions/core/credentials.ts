/**
 * The plaintext-credential detector: does a plain `String` parameter look like it holds a secret?
 * Used by the drift job (`plaintext-secret` findings), `steward check` and validate-change (whose
 * events then carry a fingerprint instead of the value). Four kinds of evidence, strongest first:
 * a known token shape (provider prefixes, private keys, JWTs, passwords in URLs and connection
 * strings), a credential word in the key's name, a long machine-generated token (entropy), and the
 * shape of a human password (`Tr0ub4dor&3`, `user:Sup3rS3cret!`, `Welcome1!`). JSON values are
 * searched field by field, with each field's name.
 *
 * It errs towards silence on the values configuration is full of (URLs, durations, ARNs, hostnames,
 * versions, dates, identifiers, UUIDs, content hashes, base64 of ordinary JSON), because a detector
 * that cries wolf every night gets its tickets ignored. Measured on test/fixtures/credential-corpus.ts
 * (README, "Credential detector").
 *
 * Deliberate blind spots, caught only by the key's name or by declaring the key `sensitive`: a random
 * secret made only of hex digits (it looks exactly like a content hash), a secret in UUID form (it
 * looks like every request and tenant id), and passwords a person could type as an identifier
 * (`correct-horse-battery-staple`, `hunter22`).
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
  // Provider token prefixes: each shape is documented by its issuer and specific enough to trust.
  { reason: 'GitLab token', pattern: /(?<![A-Za-z0-9])gl(?:pat|dt|rt|ptt|oas)-[A-Za-z0-9_-]{20,}/ },
  { reason: 'npm token', pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
  { reason: 'PyPI token', pattern: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}/ },
  {
    reason: 'AI provider API key',
    pattern: /(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)\d{2}-)?[A-Za-z0-9_-]{32,}/,
  },
  { reason: 'SendGrid API key', pattern: /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/ },
  { reason: 'Twilio API key', pattern: /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/ },
  { reason: 'Mailgun API key', pattern: /(?<![A-Za-z0-9])key-[0-9a-z]{32}(?![A-Za-z0-9])/ },
  { reason: 'Shopify token', pattern: /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/ },
  { reason: 'DigitalOcean token', pattern: /do[opr]_v1_[a-f0-9]{64}/ },
  { reason: 'HashiCorp Vault token', pattern: /(?<![A-Za-z0-9])hv[sbr]\.[A-Za-z0-9_-]{24,}/ },
  { reason: 'Atlassian API token', pattern: /ATATT3[A-Za-z0-9_=-]{30,}/ },
  { reason: 'Square token', pattern: /sq0(?:atp|csp)-[0-9A-Za-z_-]{22,}/ },
  { reason: 'Google OAuth client secret', pattern: /GOCSPX-[A-Za-z0-9_-]{24,}/ },
  { reason: 'Hugging Face token', pattern: /(?<![A-Za-z0-9])hf_[A-Za-z]{30,}/ },
  { reason: 'Databricks token', pattern: /(?<![A-Za-z0-9])dapi[0-9a-f]{32}(?![A-Za-z0-9])/ },
  { reason: 'age secret key', pattern: /AGE-SECRET-KEY-1[0-9A-Z]{50,}/ },
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
  // The user may be empty (`rediss://:password@host`).
  { reason: 'password in a URL', pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@[^\s]/i },
  {
    reason: 'password in a connection string',
    pattern:
      /(?:^|[;&?\s])(?:password|passwd|pwd|secret|client_?secret|token|api_?key|access_?key|account_?key|shared_?access_?key|sig)=[^;&\s]{3,}/i,
  },
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
  return detect(name, value, 0);
}

/** JSON nesting searched at most: configuration JSON is shallow, and the search must stay cheap. */
const MAX_JSON_DEPTH = 4;

function detect(name: string, value: string, depth: number): CredentialVerdict {
  for (const rule of VALUE_RULES) {
    if (rule.pattern.test(value)) return { matched: true, reason: rule.reason };
  }
  const word = credentialWord(name);
  if (word && holdsSomething(value)) return { matched: true, reason: `name suggests a credential (${word})` };
  // A JSON value is judged field by field: its braces and quotes are not a password's symbols.
  const json = parseJsonContainer(value);
  if (json !== undefined) return depth < MAX_JSON_DEPTH ? credentialInJson(json, depth) : { matched: false };
  if (value.split(/\s+/).some(looksRandom)) return { matched: true, reason: 'high-entropy string' };
  const shape = humanCredentialShape(value.trim());
  if (shape) return { matched: true, reason: shape };
  return { matched: false };
}

/** The parsed object or array when the value is JSON, else undefined. */
function parseJsonContainer(value: string): object | undefined {
  const text = value.trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A string field of a JSON object or array that looks like a credential, judged with its field name. */
function credentialInJson(parsed: object, depth: number): CredentialVerdict {
  const visit = (node: unknown, field: string, level: number): CredentialVerdict | undefined => {
    if (typeof node === 'string') {
      const verdict = detect(field, node, depth + 1);
      return verdict.matched
        ? { matched: true, reason: `${verdict.reason}, in JSON field "${field}"` }
        : undefined;
    }
    if (level >= MAX_JSON_DEPTH || typeof node !== 'object' || node === null) return undefined;
    const entries = Array.isArray(node) ? node.map((v) => [field, v] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      const found = visit(child, key, level + 1);
      if (found) return found;
    }
    return undefined;
  };
  return visit(parsed, '', 0) ?? { matched: false };
}

/**
 * Credentials a person made: HTTP Basic and Bearer headers, `user:password` pairs and password-shaped
 * strings. Only whole values are judged, and never one of the ordinary shapes configuration is full of.
 */
function humanCredentialShape(value: string): string | undefined {
  if (/^Bearer\s+\S{8,}$/i.test(value)) return 'bearer token';
  const basic = /^Basic\s+([A-Za-z0-9+/]{8,}={0,2})$/i.exec(value);
  if (
    basic &&
    Buffer.from(basic[1] ?? '', 'base64')
      .toString('utf8')
      .includes(':')
  ) {
    return 'HTTP Basic credentials';
  }
  if (value.length < 8 || value.length > 128 || /\s/.test(value)) return undefined;
  if (commonPassword(value)) return 'common password';
  if (isOrdinary(value)) return undefined;
  const pair = /^([A-Za-z0-9._%+@-]{1,64}):([^\s:]{6,})$/.exec(value);
  if (pair && passwordLike(pair[2] ?? '', 6)) return 'user:password pair';
  if (value.length <= 64 && passwordLike(value, 8)) return 'password-shaped string';
  return undefined;
}

/**
 * A symbol people put in passwords, unlike the separators of identifiers (`-`, `_`, `.`, `/`, `:`)
 * and the brackets and quotes of expressions and headers (`Hello(World)`, `W/"etag"`).
 */
const PASSWORD_SYMBOL = /[!#$%&*+,;<=>?@\\^`|~]/;
/** The passwords people choose most, as whole words once leet spellings are folded. */
const COMMON_PASSWORDS =
  /^(?:password|passwd|letmein|welcome|qwerty|admin|secret|iloveyou|trustno|changeme)$/;
const DECORATION = /^([0-9!@#$%^&*.?_-]*)(.*?)([0-9!@#$%^&*.?_-]*)$/;

/**
 * One of the most common passwords with digits or symbols around or inside it (`Password123`,
 * `admin2024`, `Passw0rd`): nothing else may be in the value, so `admin-api-v2` is not one.
 */
function commonPassword(value: string): boolean {
  if (!/[^A-Za-z]/.test(value)) return false;
  const word = DECORATION.exec(value)?.[2] ?? '';
  const folded = word
    .toLowerCase()
    .replace(/0/g, 'o')
    .replace(/1/g, 'i')
    .replace(/3/g, 'e')
    .replace(/[4@]/g, 'a')
    .replace(/[5$]/g, 's');
  return COMMON_PASSWORDS.test(folded);
}

/**
 * Does a single token read like a password? Letters with a password symbol and a third character
 * class (`Tr0ub4dor&3`, `Welcome1!`), or letters and digits interleaved in mixed case (`Sup3rS3cret`).
 */
function passwordLike(token: string, minLength: number): boolean {
  if (token.length < minLength) return false;
  const lower = /[a-z]/.test(token);
  const upper = /[A-Z]/.test(token);
  const digit = /[0-9]/.test(token);
  const symbol = PASSWORD_SYMBOL.test(token);
  const classes = [lower, upper, digit, /[^A-Za-z0-9]/.test(token)].filter(Boolean).length;
  if ((lower || upper) && symbol && classes >= 3) return true;
  return lower && upper && digit && /[A-Za-z][0-9]+[a-z]/.test(token) && transitionRatio(token) >= 0.6;
}

/** Share of neighbouring characters in different classes (lower, upper, digit, other). */
function transitionRatio(token: string): number {
  const classOf = (ch: string) => (/[a-z]/.test(ch) ? 0 : /[A-Z]/.test(ch) ? 1 : /[0-9]/.test(ch) ? 2 : 3);
  let transitions = 0;
  for (let i = 1; i < token.length; i++) {
    if (classOf(token[i - 1] ?? '') !== classOf(token[i] ?? '')) transitions++;
  }
  return transitions / Math.max(1, token.length - 1);
}

/** Shapes of ordinary configuration values, never taken for a person's password. */
const ORDINARY_SHAPES: readonly RegExp[] = [
  /^[a-z][a-z0-9+.-]*:\/\//i, // URL (a password inside one is a VALUE_RULE)
  /^[^\s@:/]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, // e-mail address
  /^arn:aws[a-z-]*:/, // ARN
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/, // ISO date, time
  /^P(?:\d+[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?$/, // ISO 8601 duration
  /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, // semantic version
  /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2}|:\d{1,5})?$/, // IPv4, CIDR, address:port
  /^[0-9a-f:]+(?:\/\d{1,3})?$/i, // IPv6
  /^#[0-9a-f]{3,8}$/i, // colour
  /^[-+]?\d+(?:\.\d+)?\s?[A-Za-z%]{0,6}$/, // number with a unit
  /\$\{[^}]+\}|\{\{[^}]+\}\}|^\$[A-Za-z_]\w*|%\w+%/, // template placeholder, environment variable
  /^(?:[A-Z][A-Za-z_]+\/)+[A-Za-z_]+(?:[+-]\d{1,2})?$/, // time zone (Europe/Dublin, Etc/GMT+2)
  /^[a-z]+\/[a-z0-9.+-]+(?:;\s*[a-z-]+=[^;\s]+)*$/i, // MIME type, with parameters
  /^--?[A-Za-z][\w.:-]*(?:=\S*)?$/, // command-line flag (-Xmx512m, --max-old-space-size=4096)
  /^@?[\w.-]+(?:\/[\w.-]+)?@(?:[\^~]?\d[\w.-]*|latest|next)$/, // package specifier (@scope/pkg@1.2.3)
  /^\*?\.?[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i, // host name, wildcard domain
  /^[A-Za-z_][\w.-]*=[^=\s]*(?:[;&,][A-Za-z_][\w.-]*=[^=\s]*)*$/, // key=value list
  /^[\w.-]+(?:,[\w.-]+)+$/, // comma-separated list
  /^[\w.-]+(?:\/[\w.-]+)+\/?$|^\/[\w./-]*$/, // path
];

function isOrdinary(value: string): boolean {
  return ORDINARY_SHAPES.some((shape) => shape.test(value)) || isIdentifier(value);
}

/** Words joined by separators (`eu-west-1`, `X-Request-Id`, `c6g.xlarge`), each word of at most two class changes. */
function isIdentifier(value: string): boolean {
  if (!/^[A-Za-z0-9]+(?:[-_./:][A-Za-z0-9]+)*$/.test(value)) return false;
  return value.split(/[-_./:]/).every((word) => transitionRatio(word) * Math.max(1, word.length - 1) <= 2);
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
