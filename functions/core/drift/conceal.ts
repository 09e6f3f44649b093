/**
 * The last step of detection: every value a finding may not show becomes its keyed fingerprint. Only
 * those values are fingerprinted (a night with 10,000 plain parameters and no secret finding makes no
 * call), each distinct value once per run, a few at a time so a bad night with hundreds of secret
 * findings neither crawls nor floods KMS.
 */
import type { ValueFingerprinter } from '../../ports/value-fingerprinter.ts';
import type { DetectedFinding, DriftFinding } from './findings.ts';

/** Fingerprint requests in flight at once. */
export const CONCEAL_CONCURRENCY = 8;

/**
 * @example
 * const findings = await concealValues(detectDrift(registry, snapshot, { now }), fingerprinter);
 */
export async function concealValues(
  detected: readonly DetectedFinding[],
  fingerprinter: ValueFingerprinter,
  concurrency = CONCEAL_CONCURRENCY,
): Promise<DriftFinding[]> {
  const distinct = new Set<string>();
  for (const finding of detected) {
    if (finding.values !== 'conceal') continue;
    if (finding.expected !== undefined) distinct.add(finding.expected);
    if (finding.actual !== undefined) distinct.add(finding.actual);
  }
  const fingerprints = await fingerprintAll([...distinct], fingerprinter, concurrency);
  const conceal = (value: string | undefined) => (value === undefined ? undefined : fingerprints.get(value));
  return detected.map((finding): DriftFinding => {
    if (finding.values !== 'conceal') return finding as DriftFinding;
    const { expected, actual, ...rest } = finding;
    return {
      ...rest,
      ...(expected !== undefined ? { expected: conceal(expected) } : {}),
      ...(actual !== undefined ? { actual: conceal(actual) } : {}),
      values: 'fingerprint',
    };
  });
}

/** Each distinct value's fingerprint, `concurrency` requests at a time (`steward plan` conceals with it too). */
export async function fingerprintAll(
  values: readonly string[],
  fingerprinter: ValueFingerprinter,
  concurrency: number,
): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const value = values[next++] as string;
      result.set(value, await fingerprinter.fingerprint(value));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, values.length)) }, worker));
  return result;
}
