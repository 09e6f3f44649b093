import { createHash } from 'node:crypto';

/** SHA-256 of a value, hex: what events and tickets carry instead of a secret value. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
