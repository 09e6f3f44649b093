/**
 * The event catalog: every event Config Steward publishes on its bus, `source: config.steward`.
 * Each detail type has a zod schema here; the stack publishes their JSON Schemas and the README
 * shows an example of each. No detail carries a secret value: SecureString values, credential-like
 * and `sensitive` plain values travel only as keyed fingerprints (`core/fingerprint.ts`).
 */
import * as z from 'zod/mini';
import { FINGERPRINT_PATTERN } from './fingerprint.ts';
import './zod-messages.ts';

export const EVENT_SOURCE = 'config.steward';

// Builders, not schemas: the catalog is built when the first event is published (`eventSchemas`),
// so a cold start constructs none of it, and a warm function reuses what its first event built.
const issue = () => z.strictObject({ path: z.string(), message: z.string() });
const ticketRef = () =>
  z.strictObject({
    tracker: z.enum(['opscenter', 'github', 'jira']),
    id: z.string(),
    url: z.optional(z.string()),
  });
/** `hmac-sha256:<64 hex>`: a keyed fingerprint whose key no reader of events holds. */
const valueFingerprint = () => z.string().check(z.regex(FINGERPRINT_PATTERN));
const parameterIdentity = () => ({
  parameterName: z.string(),
  environment: z.string(),
  service: z.string(),
  key: z.string(),
});

const buildEventSchemas = () => ({
  'Config Change Accepted': z.strictObject({
    ...parameterIdentity(),
    version: z.int(),
    previousVersion: z.optional(z.int()),
    operation: z.enum(['Create', 'Update', 'LabelParameterVersion']),
    actor: z.optional(z.string()),
    parameterType: z.enum(['String', 'SecureString', 'StringList']),
    valueFingerprint: valueFingerprint(),
    /** Only for plain `String` parameters of keys not declared `sensitive`, whose value does not look like a credential. */
    value: z.optional(z.string()),
    /** Only when the previous version's value could travel as `value` does. */
    previousValue: z.optional(z.string()),
    changedAt: z.string(),
    triggeringEventId: z.string(),
  }),
  'Config Change Rejected': z.strictObject({
    parameterName: z.string(),
    environment: z.optional(z.string()),
    service: z.optional(z.string()),
    key: z.optional(z.string()),
    version: z.optional(z.int()),
    operation: z.enum(['Create', 'Update', 'Delete', 'LabelParameterVersion']),
    actor: z.optional(z.string()),
    enforcement: z.enum(['enforce', 'report']),
    issues: z.array(issue()),
    valueFingerprint: z.optional(valueFingerprint()),
    triggeringEventId: z.string(),
  }),
  'Config Change Restored': z.strictObject({
    parameterName: z.string(),
    environment: z.string(),
    rejectedVersion: z.optional(z.int()),
    /** What was put back: a labelled version, the desired value from git, or a deletion. */
    restoredFrom: z.enum(['last-known-good', 'desired-state', 'deleted']),
    restoredFromVersion: z.optional(z.int()),
    newVersion: z.optional(z.int()),
    triggeringEventId: z.string(),
  }),
  'Config Deployment Started': z.strictObject({
    service: z.string(),
    environment: z.string(),
    applicationId: z.string(),
    environmentId: z.string(),
    configurationProfileId: z.string(),
    configurationVersion: z.string(),
    deploymentNumber: z.optional(z.int()),
    /** True when another deployment was running and this one waits its turn. */
    queued: z.boolean(),
    /**
     * The change events whose delivery requests this deployment answers (up to 50; a reconcile's
     * request reads `reconcile:<request id>`). One deployment ships many coalesced changes.
     */
    triggeringEventIds: z.array(z.string()),
  }),
  'Secret Rotated': z.strictObject({
    secretName: z.string(),
    strategy: z.enum(['random', 'postgres-alternating-users', 'postgres-single-user']),
    newVersionId: z.string(),
    previousVersionId: z.optional(z.string()),
    durationMs: z.number().check(z.nonnegative()),
    /** Set when a stale AWSPENDING label from an earlier failed rotation was cleared first. */
    clearedStalePendingVersionId: z.optional(z.string()),
  }),
  'Secret Rotation Failed': z.strictObject({
    secretName: z.string(),
    step: z.enum(['createSecret', 'setSecret', 'testSecret', 'finishSecret']),
    versionId: z.string(),
    errorClass: z.string(),
    /** Scrubbed of every secret value before it is published. */
    message: z.string(),
  }),
  'Config Drift Detected': z.strictObject({
    runId: z.string(),
    environments: z.array(z.string()),
    parametersScanned: z.int().check(z.nonnegative()),
    findingsByKind: z.record(z.string(), z.int().check(z.nonnegative())),
    tickets: z.array(ticketRef()),
    resolvedTickets: z.array(ticketRef()),
    /** Ticket references left out to keep the event under PutEvents' 256 KB. */
    omittedTickets: z.optional(z.int().check(z.nonnegative())),
    durationMs: z.number().check(z.nonnegative()),
  }),
  'Feature Flag Expired': z.strictObject({
    service: z.string(),
    application: z.string(),
    flag: z.string(),
    owner: z.optional(z.string()),
    type: z.string(),
    expires: z.optional(z.string()),
    reason: z.enum([
      'expired',
      'expiring-soon',
      'over-lifetime',
      'no-owner',
      'invalid-metadata',
      'never-evaluated',
      'always-same',
    ]),
    /** What the consumers' evaluation counts say (core/flags/usage.ts); absent without usage metrics. */
    usage: z.optional(
      z.strictObject({
        classification: z.enum(['always-same', 'never-evaluated', 'active', 'no-data']),
        windowDays: z.int().check(z.positive()),
        evaluations: z.number().check(z.nonnegative()),
        /** Variant names from the flag's definition (or `on`/`off`), never a served value. */
        variantsSeen: z.array(z.string()),
        daysEvaluated: z.int().check(z.nonnegative()),
        telemetrySince: z.optional(z.string()),
      }),
    ),
    ticket: z.optional(ticketRef()),
  }),
  'Config Override Applied': z.strictObject({
    ...parameterIdentity(),
    version: z.int(),
    parameterType: z.enum(['String', 'SecureString', 'StringList']),
    /** The caller identity (STS GetCallerIdentity ARN) that applied it. */
    actor: z.string(),
    reason: z.string(),
    /** ISO 8601: the reconcile and the drift run honour the override until then. */
    until: z.string(),
    appliedAt: z.string(),
    /** The second principal the operator named: recorded for audit, not verified (README "Break-glass overrides"). */
    approvedBy: z.optional(z.string()),
    /** The AppConfig strategy delivery uses for the document that holds it. */
    deploymentStrategy: z.string(),
    /** Only for plain `String` parameters of keys not declared `sensitive`, whose value does not look like a credential. */
    value: z.optional(z.string()),
  }),
  'Kill Switch Flipped': z.strictObject({
    service: z.string(),
    switch: z.string(),
    environment: z.string(),
    /** The switch's new state: true engages it (the killed path is off), false restores normal operation. */
    enabled: z.boolean(),
    /** The operator's words (steward kill --reason); refused when it looks like a credential. */
    reason: z.string().check(z.minLength(1)),
    /** ISO 8601: when the flip should be undone; the nightly drift run reports it after that. */
    until: z.optional(z.string()),
    /** The STS caller ARN of whoever flipped it. */
    actor: z.string(),
    applicationId: z.string(),
    environmentId: z.string(),
    configurationProfileId: z.string(),
    configurationVersion: z.string(),
    deploymentNumber: z.int(),
    /** The ticket asking to bring config/ in line; absent when the flip matches config/ again. */
    ticket: z.optional(ticketRef()),
  }),
  'Ticket Filed': z.strictObject({
    dedupKey: z.string(),
    ticket: ticketRef(),
    title: z.string(),
    created: z.boolean(),
  }),
});

type EventSchemas = ReturnType<typeof buildEventSchemas>;
let builtEventSchemas: EventSchemas | undefined;

/** The schema of every detail type, built on first use (by the first event a function publishes). */
export const eventSchemas: EventSchemas = new Proxy({} as EventSchemas, {
  get: (_, detailType) => (builtEventSchemas ??= buildEventSchemas())[detailType as DetailType],
  // `in` and `Object.hasOwn` answer like the built catalog (without it, `'X' in eventSchemas` is false).
  has: (_, detailType) => detailType in (builtEventSchemas ??= buildEventSchemas()),
  ownKeys: () => Reflect.ownKeys((builtEventSchemas ??= buildEventSchemas())),
  getOwnPropertyDescriptor: (_, detailType) =>
    Reflect.getOwnPropertyDescriptor((builtEventSchemas ??= buildEventSchemas()), detailType),
});

export type DetailType = keyof EventSchemas;
export type EventDetail<T extends DetailType> = z.output<EventSchemas[T]>;

/** One event to publish; the publisher adds source, bus and time. */
export interface StewardEvent<T extends DetailType = DetailType> {
  readonly detailType: T;
  readonly detail: EventDetail<T>;
}

/**
 * Build an event, checking its detail against the catalog so a malformed event fails in the
 * producer, not in a subscriber.
 *
 * @example
 * const event = stewardEvent('Ticket Filed', { dedupKey, ticket, title, created: true });
 */
export function stewardEvent<T extends DetailType>(detailType: T, detail: EventDetail<T>): StewardEvent<T> {
  return { detailType, detail: z.parse(eventSchemas[detailType], detail) as EventDetail<T> };
}
