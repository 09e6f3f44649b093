/**
 * `restoreRejected` with its module loaded on the first restore request: a lazy chunk
 * (lib/bundling.ts). deliver-changes mostly delivers accepted changes, so its cold start does not
 * read and compile the restore path; the first restore of an instance reads one small file more.
 */
import type * as RestoreRejected from './restore-rejected.ts';

export type { RestoreOutcome } from './restore-rejected.ts';

/** @see RestoreRejected.restoreRejected */
export async function restoreRejected(
  ...args: Parameters<typeof RestoreRejected.restoreRejected>
): ReturnType<typeof RestoreRejected.restoreRejected> {
  return (await import('./restore-rejected.ts')).restoreRejected(...args);
}
