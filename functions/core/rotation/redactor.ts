/**
 * Remembers every secret value a rotation touched and scrubs them out of any text before the text is
 * logged, published, filed or thrown.
 */

export const REDACTED = '[REDACTED]';

/** JSON fields that hold secret material in any secret shape, beyond the ones a strategy names. */
const SENSITIVE_FIELD = /pass|secret|token|key/i;
/** Shorter strings are not scrubbed: replacing `1` or `ab` everywhere would shred messages, not protect them. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();

  /**
   * Remember a secret value: the raw string, and, when it is a JSON object, its sensitive fields.
   *
   * @example
   * redactor.addSecretValue(secretString, ['password']);
   */
  addSecretValue(raw: string, fields: readonly string[] = []): void {
    this.add(raw);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return;
    for (const [field, value] of Object.entries(parsed)) {
      if (typeof value === 'string' && (fields.includes(field) || SENSITIVE_FIELD.test(field)))
        this.add(value);
    }
  }

  /** Remember one secret string (a generated password, say). */
  add(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(secret);
    // The same secret as it appears inside JSON text or a SQL literal.
    const jsonEscaped = JSON.stringify(secret).slice(1, -1);
    if (jsonEscaped !== secret) this.secrets.add(jsonEscaped);
    const sqlEscaped = secret.replaceAll("'", "''");
    if (sqlEscaped !== secret) this.secrets.add(sqlEscaped);
  }

  /**
   * The text with every remembered secret replaced by `[REDACTED]`, longest first so a secret that
   * contains another is removed whole.
   *
   * @example
   * const message = redactor.scrub(error.message);
   */
  scrub(text: string): string {
    let result = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.replaceAll(secret, REDACTED);
    }
    return result;
  }
}
