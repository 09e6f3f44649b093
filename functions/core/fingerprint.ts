/**
 * Value fingerprints: what events, tickets and reports carry instead of a value that must not travel.
 *
 * Format: `hmac-sha256:<hex>`, the HMAC-SHA-256 under the platform's fingerprint key of the SHA-256
 * digest of the value's UTF-8 bytes. The digest is the message, not the value, so every value fits
 * KMS `GenerateMac`'s 4,096-byte message limit (advanced parameters hold 8 KB) and the value itself
 * never leaves the function. A plain SHA-256 of the value never leaves the function either: without
 * the key a reader cannot test a guess, while equal values still show equal fingerprints.
 */
import { createHash } from 'node:crypto';

export const FINGERPRINT_PREFIX = 'hmac-sha256:';

/** A fingerprint as events carry it. */
export const FINGERPRINT_PATTERN = /^hmac-sha256:[0-9a-f]{64}$/;

/** The message the key signs for a value: its SHA-256 digest (32 bytes). */
export function fingerprintMessage(value: string): Uint8Array {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** `hmac-sha256:<hex>` from the 32-byte MAC. */
export function formatFingerprint(mac: Uint8Array): string {
  if (mac.length !== 32) throw new TypeError(`expected a 32-byte HMAC-SHA-256, got ${mac.length} bytes`);
  return `${FINGERPRINT_PREFIX}${Buffer.from(mac).toString('hex')}`;
}

/**
 * The alias of the stack's fingerprint key, derived from the event bus name (unique per Steward
 * deployment in an account): the stack creates it, and the CLI finds the key by it when
 * `STEWARD_FINGERPRINT_KEY` is not set.
 *
 * @example
 * fingerprintKeyAlias('config-steward'); // 'alias/config-steward/value-fingerprints'
 */
export function fingerprintKeyAlias(eventBusName: string): string {
  return `alias/${eventBusName.replace(/[^A-Za-z0-9/_-]/g, '-')}/value-fingerprints`;
}

/** The key id a function or the CLI uses: `STEWARD_FINGERPRINT_KEY` (the key ARN the stack sets), else the alias. */
export function fingerprintKeyId(
  env: { readonly STEWARD_FINGERPRINT_KEY?: string | undefined },
  eventBusName: string,
): string {
  const configured = env.STEWARD_FINGERPRINT_KEY?.trim();
  return configured ? configured : fingerprintKeyAlias(eventBusName);
}
