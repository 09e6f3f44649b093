/**
 * Platform settings: the schema of `config/settings.json`. Strict objects, so a misspelled field is
 * an error that names the file, the field and the problem instead of a silently ignored line.
 */
import * as z from 'zod';
import { ConfigurationError } from './errors.ts';
import { DEFAULT_FLAG_USAGE_DAYS } from './names.ts';
import { OVERRIDE_MAX_DURATION_HOURS } from './override.ts';

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');

const deploymentStrategy = z.strictObject({
  /** Minutes over which AppConfig rolls the configuration out. */
  deploymentDurationInMinutes: z.int().min(0).max(1440),
  /** Minutes AppConfig watches the alarms after the last step before completing. */
  finalBakeTimeInMinutes: z.int().min(0).max(1440),
  growthFactor: z.number().min(1).max(100),
  growthType: z.enum(['LINEAR', 'EXPONENTIAL']).default('LINEAR'),
});

const environment = z.strictObject({
  name,
  /** `enforce` restores bad edits; `report` only publishes events and files tickets. */
  enforcement: z.enum(['enforce', 'report']),
  deploymentStrategy,
  /** CloudWatch alarm names whose ALARM state rolls an AppConfig deployment back. */
  rollbackAlarms: z.array(z.string().min(1)).default([]),
});

const secretName = z.string().min(1);

/** SQS's largest `maxReceiveCount` in a queue's redrive policy. */
const MAX_RECEIVE_COUNT = 1000;

const tickets = z.discriminatedUnion('tracker', [
  z.strictObject({ tracker: z.literal('opscenter') }),
  z.strictObject({
    tracker: z.literal('github'),
    owner: z.string().min(1),
    repo: z.string().min(1),
    /** Name of the Secrets Manager secret holding the token; never the token itself. */
    tokenSecret: secretName,
    apiUrl: z.url().default('https://api.github.com'),
  }),
  z.strictObject({
    tracker: z.literal('jira'),
    baseUrl: z.url(),
    project: z.string().min(1),
    /** Name of the Secrets Manager secret holding `{ "email": ..., "token": ... }`. */
    tokenSecret: secretName,
  }),
]);

const cron = z
  .string()
  .regex(
    /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/,
    'expected an EventBridge cron expression such as cron(0 2 * * ? *)',
  );

export const settingsSchema = z.strictObject({
  /** First path segment of every managed parameter: `/<root>/<environment>/<service>/<key>`. */
  parameterRoot: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'one path segment, without slashes')
    .default('config'),
  parameterTier: z.enum(['Standard', 'Advanced']).default('Standard'),
  environments: z
    .array(environment)
    .min(1)
    .refine(
      (list) => new Set(list.map((e) => e.name)).size === list.length,
      'environment names must be unique',
    )
    .refine(
      (list) => list.every((e) => e.name !== 'shared'),
      '"shared" is a service layer, not an environment',
    ),
  eventBus: z
    .strictObject({
      name: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,256}$/)
        .default('config-steward'),
      archiveRetentionDays: z.int().min(0).default(90),
    })
    .default({ name: 'config-steward', archiveRetentionDays: 90 }),
  tickets: tickets.default({ tracker: 'opscenter' }),
  nightly: z
    .strictObject({ cron, timeZone: z.string().min(1).default('UTC') })
    .default({ cron: 'cron(0 2 * * ? *)', timeZone: 'UTC' }),
  logRetentionDays: z
    .union([
      z.literal(1),
      z.literal(3),
      z.literal(5),
      z.literal(7),
      z.literal(14),
      z.literal(30),
      z.literal(60),
    ])
    .or(
      z.union([
        z.literal(90),
        z.literal(180),
        z.literal(365),
        z.literal(731),
        z.literal(1827),
        z.literal(3653),
      ]),
    )
    .default(30),
  /**
   * Opt-in: ship source maps and run with NODE_OPTIONS=--enable-source-maps, so stack traces in the logs
   * point at the TypeScript sources. Off by default because Node.js reads and parses each loaded file's
   * map at every cold start (`npm run bench -- cold-start` prints the cost), and maps shipped without the
   * flag are read by nothing: Node.js applies a map only to modules loaded while maps are enabled.
   */
  sourceMaps: z.boolean().default(false),
  /**
   * Customer managed KMS keys that SecureString parameters under the root are encrypted with, as key
   * ARNs: validate-change and the drift job may use exactly these, and only through Parameter Store.
   * Parameters under the AWS managed key `aws/ssm` need no entry (its key policy already lets every
   * principal of the account use it through Parameter Store).
   */
  parameterKmsKeyArns: z
    .array(
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
          'expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>): IAM cannot grant use of a key by ' +
            'alias, and the AWS managed aws/ssm key needs no entry',
        ),
    )
    .refine((arns) => new Set(arns).size === arns.length, 'key ARNs must be unique')
    .default([]),
  drift: z
    .strictObject({ requestsPerSecond: z.number().positive().max(40).default(20) })
    .default({ requestsPerSecond: 20 }),
  /**
   * The change pipeline (README "Queued, coalesced, rate-bounded"): how validate-change consumes the
   * change queue, how the delivery queue is consumed, and the Parameter Store read budget they share.
   */
  pipeline: z
    .strictObject({
      /** Parameter Store requests per second for validate-change, delivery and the reconcile together. */
      readsPerSecond: z.number().positive().max(40).default(20),
      validation: z
        .strictObject({
          /** Change records per validate-change invocation (SQS allows 1–10,000 with a window). */
          batchSize: z.int().min(1).max(100).default(10),
          /** Seconds the event source mapping gathers records before invoking. */
          maxBatchingWindowSeconds: z.int().min(0).max(300).default(5),
          /** validate-change invocations at once (SQS event source mappings allow 2–1,000). */
          maxConcurrency: z.int().min(2).max(1000).default(2),
        })
        .refine((v) => v.batchSize <= 10 || v.maxBatchingWindowSeconds >= 1, {
          message: 'a batchSize over 10 needs a maxBatchingWindowSeconds of at least 1 (an SQS rule)',
          path: ['maxBatchingWindowSeconds'],
        })
        .default({ batchSize: 10, maxBatchingWindowSeconds: 5, maxConcurrency: 2 }),
      delivery: z
        .strictObject({
          /** Delivery invocations at once; one (service, environment) is never delivered twice at a time. */
          maxConcurrency: z.int().min(2).max(1000).default(2),
          /** Seconds a request waits before it is tried again while its AppConfig environment is busy. */
          retrySeconds: z.int().min(10).max(900).default(60),
          /** Minutes a request may keep waiting before it goes to the delivery dead-letter queue. */
          maxWaitMinutes: z.int().min(10).max(720).default(180),
        })
        // The delivery queue's maxReceiveCount is maxWaitMinutes ÷ retrySeconds (change-delivery.ts),
        // and SQS takes at most 1,000.
        .refine((d) => Math.ceil((d.maxWaitMinutes * 60) / d.retrySeconds) <= MAX_RECEIVE_COUNT, {
          message: `maxWaitMinutes × 60 ÷ retrySeconds is the delivery queue's maxReceiveCount, which SQS caps at ${MAX_RECEIVE_COUNT}: wait less or retry less often`,
          path: ['maxWaitMinutes'],
        })
        .default({ maxConcurrency: 2, retrySeconds: 60, maxWaitMinutes: 180 }),
    })
    .default({
      readsPerSecond: 20,
      validation: { batchSize: 10, maxBatchingWindowSeconds: 5, maxConcurrency: 2 },
      delivery: { maxConcurrency: 2, retrySeconds: 60, maxWaitMinutes: 180 },
    }),
  flags: z
    .strictObject({
      warnWithinDays: z.int().min(0).default(14),
      /**
       * Where `steward flags refs` looks by default, and what synth scans for the code references the
       * flag-expiry tickets list: directories (or files) relative to the project root, the directory
       * that holds config/ (relative, so every machine synthesizes the same digest). Without it synth
       * scans nothing and the CLI scans the current directory.
       */
      codeReferences: z
        .strictObject({
          sources: z
            .array(
              z
                .string()
                .min(1)
                .refine((source) => !source.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(source), {
                  message: 'a path relative to the project root (the directory that holds config/)',
                }),
            )
            .min(1)
            .refine((sources) => new Set(sources).size === sources.length, 'sources must be unique'),
        })
        .optional(),
      /**
       * Usage-aware cleanup: the flag-expiry job judges each flag by the consumers' evaluation counts
       * of the last `windowDays` days (core/flags/usage.ts). It looks for telemetry over twice as long,
       * and CloudWatch keeps daily sums 455 days, hence the ceiling.
       */
      usage: z
        .strictObject({
          windowDays: z.int().min(1).max(180).default(DEFAULT_FLAG_USAGE_DAYS),
        })
        .default({ windowDays: DEFAULT_FLAG_USAGE_DAYS }),
    })
    .default({ warnWithinDays: 14, usage: { windowDays: DEFAULT_FLAG_USAGE_DAYS } }),
  /** Break-glass `steward override` (README "Break-glass overrides"). */
  overrides: z
    .strictObject({
      /** The longest an override may last; beyond it the change belongs in git. */
      maxDurationHours: z.int().min(1).max(OVERRIDE_MAX_DURATION_HOURS).default(24),
      /** Environments where `--approved-by` must name a second principal, other than the caller. */
      requireApprovalIn: z
        .array(name)
        .refine((list) => new Set(list).size === list.length, 'environment names must be unique')
        .default([]),
    })
    .default({ maxDurationHours: 24, requireApprovalIn: [] }),
  /**
   * The network of the functions that reach PostgreSQL (the rotation function); required as soon as
   * a secret uses a PostgreSQL strategy. Subnet i lies in availability zone i modulo the zone count,
   * as `Vpc.fromVpcAttributes` reads them (no lookup, so synth stays offline).
   */
  vpc: z
    .strictObject({
      vpcId: z.string().startsWith('vpc-'),
      subnetIds: z.array(z.string().startsWith('subnet-')).min(1),
      securityGroupIds: z.array(z.string().startsWith('sg-')).min(1),
      availabilityZones: z.array(z.string().min(1)).min(1),
    })
    .refine((vpc) => vpc.subnetIds.length % vpc.availabilityZones.length === 0, {
      path: ['subnetIds'],
      message: 'list one subnet per availability zone, in the order of availabilityZones',
    })
    .optional(),
});

export type Settings = z.output<typeof settingsSchema>;
export type EnvironmentSettings = Settings['environments'][number];

/** Describe zod issues one per line as `<file>: <field>: <problem>`. */
export function describeIssues(source: string, error: z.ZodError): string {
  const field = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(root)');
  return error.issues
    .flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${source}: ${field([...issue.path, key])}: unknown field`)
        : [`${source}: ${field(issue.path)}: ${issue.message}`],
    )
    .join('\n');
}

/**
 * Parse settings already read from a file.
 *
 * @example
 * const settings = parseSettings(JSON.parse(text), 'config/settings.json');
 */
export function parseSettings(input: unknown, source: string): Settings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigurationError(describeIssues(source, parsed.error));
  return parsed.data;
}
