import { createHash } from 'node:crypto';

/**
 * SHA-256 of text, hex: delivery queue deduplication ids (requests hold no value) and the version
 * labels of AppConfig documents, which stay inside AppConfig beside the document itself. Nothing that
 * holds a value that must not travel is hashed with it for an event, ticket or log: a plain hash of a
 * low-entropy value is guessable, so those carry its keyed fingerprint instead (`fingerprint.ts`).
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
