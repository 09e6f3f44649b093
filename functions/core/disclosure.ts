/**
 * The one rule for "may this value be shown": in an event, a drift finding, a ticket, a `steward check`
 * finding or CLI output. Everything else travels as a keyed fingerprint (`core/fingerprint.ts`).
 */
import { looksLikeCredential } from './credentials.ts';
import type { ParameterType } from './keys.ts';

/** One value as it is (or would be) stored in Parameter Store. */
export interface StoredValue {
  readonly type: ParameterType;
  readonly value: string;
}

export interface DisclosureSubject {
  /** The key's name: the credential detector reads it too (`db-password` is a credential by name). */
  readonly key: string;
  /**
   * Whether the key is declared `sensitive` (every `SecureString` key is); undefined when no service
   * declares the key, which counts as sensitive.
   */
  readonly sensitive: boolean | undefined;
  /**
   * Every value a reader would see together: showing one of two values beside "they differ" says
   * something about the other, so all are shown or none.
   */
  readonly values: readonly StoredValue[];
}

/**
 * Whether the values may be shown as they are: only plain `String` values of a key declared and not
 * `sensitive`, none of which looks like a credential (by the key's name or the value).
 *
 * @example
 * mayShowValues({ key: 'max-retries', sensitive: false, values: [{ type: 'String', value: '5' }] })       // true
 * mayShowValues({ key: 'endpoint', sensitive: false, values: [{ type: 'String', value: 'ghp_…' }] })     // false
 * mayShowValues({ key: 'db', sensitive: true, values: [{ type: 'SecureString', value: 'x' }] })         // false
 */
export function mayShowValues(subject: DisclosureSubject): boolean {
  if (subject.sensitive !== false) return false;
  return subject.values.every(
    ({ type, value }) => type === 'String' && !looksLikeCredential(subject.key, value).matched,
  );
}
