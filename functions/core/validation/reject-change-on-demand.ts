/**
 * `reject` and `reportUnreadable` with their module (and restore-rejected.ts, which only a rejection
 * plans with) loaded on the first rejection: a lazy chunk (lib/bundling.ts). Most changes are
 * accepted, so validate-change's cold start does not read and compile the rejection path; the first
 * rejection of an instance reads one small file more.
 */
import type * as RejectChange from './reject-change.ts';

/** @see RejectChange.reject */
export async function reject(
  ...args: Parameters<typeof RejectChange.reject>
): ReturnType<typeof RejectChange.reject> {
  return (await import('./reject-change.ts')).reject(...args);
}

/** @see RejectChange.reportUnreadable */
export async function reportUnreadable(
  ...args: Parameters<typeof RejectChange.reportUnreadable>
): ReturnType<typeof RejectChange.reportUnreadable> {
  return (await import('./reject-change.ts')).reportUnreadable(...args);
}
