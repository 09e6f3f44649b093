import { createHash } from 'node:crypto';

/**
 * SHA-256 of text, hex: for content that is not secret (AppConfig document labels, schedule names).
 * A value that must not travel is never hashed with it: a plain hash of a low-entropy value is
 * guessable, so events and tickets carry its keyed fingerprint instead (`fingerprint.ts`).
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
