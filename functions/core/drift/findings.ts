/**
 * Drift findings: one typed record per problem the nightly sweep sees, and how each becomes a ticket.
 * A finding carries values only for plain `String` parameters of keys not declared `sensitive` that do
 * not look like credentials; everything else travels as a keyed fingerprint (`core/fingerprint.ts`).
 */
import type { TicketRequest, TicketSeverity } from '../../ports/ticket-tracker.ts';

export const FINDING_KINDS = [
  'value-drift',
  'missing',
  'unmanaged',
  'invalid',
  'env-divergence',
  'plaintext-secret',
  'rotation-overdue',
  'label-mismatch',
  'read-error',
  // Flags each environment serves against config/ (flag-drift.ts).
  'flag-changed',
  'flag-added',
  'flag-removed',
  'flags-not-deployed',
  'kill-switch-overdue',
  // Break-glass overrides (core/override.ts): active, and expired but not yet folded back into git.
  'override',
  'override-expired',
] as const;

export type FindingKind = (typeof FINDING_KINDS)[number];

export interface DriftFinding {
  readonly kind: FindingKind;
  /**
   * The parameter name, the secret name (rotation), the path that could not be read (read-error), or
   * for flag findings `flags/<environment>/<service>/<flag>` (no leading `/`: never a parameter name).
   */
  readonly parameter: string;
  readonly environment: string;
  readonly service?: string;
  readonly key?: string;
  /** The desired (or reference-environment) value, or its fingerprint; see `values`. */
  readonly expected?: string;
  /** The stored value, or its fingerprint; see `values`. */
  readonly actual?: string;
  /** `plain` when expected/actual are the values themselves, `fingerprint` when they are `hmac-sha256:<hex>`. */
  readonly values?: 'plain' | 'fingerprint';
  /** One sentence a person can act on; never a value. */
  readonly detail: string;
  /** Who last changed the parameter, when known. */
  readonly lastModifiedUser?: string;
  /** ARN of the resource, when known (secrets). */
  readonly resourceArn?: string;
}

/**
 * A finding as detection makes it, before it leaves the core: values marked `conceal` are still the
 * raw values, and {@link DriftFinding} cannot hold them (the compiler keeps the two apart), so
 * nothing publishes one before `concealValues` replaced them with fingerprints.
 */
export interface DetectedFinding extends Omit<DriftFinding, 'values'> {
  readonly values?: 'plain' | 'conceal';
}

const SEVERITY: Record<FindingKind, TicketSeverity> = {
  'plaintext-secret': 'critical',
  invalid: 'high',
  'rotation-overdue': 'high',
  'read-error': 'high',
  'value-drift': 'medium',
  missing: 'medium',
  'label-mismatch': 'medium',
  'env-divergence': 'low',
  unmanaged: 'low',
  'flag-changed': 'medium',
  'flag-removed': 'medium',
  'flags-not-deployed': 'medium',
  'flag-added': 'low',
  'kill-switch-overdue': 'high',
  override: 'low',
  'override-expired': 'medium',
};

const CATEGORY: Record<FindingKind, string> = {
  'plaintext-secret': 'security',
  'rotation-overdue': 'rotation',
  invalid: 'drift',
  'read-error': 'drift',
  'value-drift': 'drift',
  missing: 'drift',
  'label-mismatch': 'drift',
  'env-divergence': 'drift',
  unmanaged: 'drift',
  'flag-changed': 'drift',
  'flag-added': 'drift',
  'flag-removed': 'drift',
  'flags-not-deployed': 'drift',
  'kill-switch-overdue': 'flags',
  override: 'drift',
  'override-expired': 'drift',
};

/** `<kind>:<parameter>`: the identity of a finding across runs, and its ticket's dedup key. */
export function dedupKeyOf(finding: Pick<DriftFinding, 'kind' | 'parameter'>): string {
  return `${finding.kind}:${finding.parameter}`;
}

/** Split a dedup key back into kind and parameter; undefined for keys the drift job does not own. */
export function parseDedupKey(dedupKey: string): { kind: FindingKind; parameter: string } | undefined {
  const colon = dedupKey.indexOf(':');
  const kind = dedupKey.slice(0, colon) as FindingKind;
  return colon > 0 && FINDING_KINDS.includes(kind)
    ? { kind, parameter: dedupKey.slice(colon + 1) }
    : undefined;
}

/**
 * The ticket a finding files.
 *
 * @example
 * await tracker.file(ticketFor(finding, (name) => `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`));
 */
export function ticketFor(
  finding: DriftFinding,
  arnOf?: (parameter: string) => string | undefined,
): TicketRequest {
  const arn =
    finding.resourceArn ?? (finding.parameter.startsWith('/') ? arnOf?.(finding.parameter) : undefined);
  // A fingerprint carries its own `hmac-sha256:` prefix, so the two encodings cannot be confused.
  const shown = (label: string, value: string | undefined) =>
    value === undefined ? [] : [`| ${label} | \`${value}\` |`];
  const body = [
    `Config Steward's nightly drift run found **${finding.kind}** on \`${finding.parameter}\`.`,
    '',
    finding.detail,
    '',
    '| field | value |',
    '| --- | --- |',
    `| environment | ${finding.environment} |`,
    ...(finding.service ? [`| service | ${finding.service} |`] : []),
    ...(finding.key ? [`| key | ${finding.key} |`] : []),
    ...shown('expected', finding.expected),
    ...shown('actual', finding.actual),
    ...(finding.lastModifiedUser ? [`| last modified by | ${finding.lastModifiedUser} |`] : []),
    '',
    'This ticket is resolved automatically by the first run that no longer sees the finding.',
  ].join('\n');
  const data: Record<string, string> = {
    kind: finding.kind,
    parameter: finding.parameter,
    environment: finding.environment,
    detail: finding.detail,
  };
  if (finding.service) data.service = finding.service;
  if (finding.key) data.key = finding.key;
  if (finding.values) data.values = finding.values;
  if (finding.expected !== undefined) data.expected = finding.expected;
  if (finding.actual !== undefined) data.actual = finding.actual;
  return {
    dedupKey: dedupKeyOf(finding),
    title: `Config drift: ${finding.kind} on ${finding.parameter}`,
    body,
    severity: SEVERITY[finding.kind],
    category: CATEGORY[finding.kind],
    resourceArns: arn ? [arn] : undefined,
    data,
  };
}

export function severityOf(kind: FindingKind): TicketSeverity {
  return SEVERITY[kind];
}
