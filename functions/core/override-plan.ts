/**
 * Planning a break-glass override (`steward override`, CLI only): the checks a request must pass
 * before anything is written, and the tags that record it (`core/override.ts` reads them back).
 */
import type { ParameterType } from './keys.ts';
import { OVERRIDE_MARKER_VALUE, OVERRIDE_TAGS, type OverrideRecord, type Tag } from './override.ts';
import type { SchemaRegistry } from './registry.ts';

/** SSM tag values: at most 256 characters of letters, digits, spaces and `_ . : / = + - @`. */
const TAG_VALUE_MAX = 256;
const TAG_VALUE_UNSAFE = /[^\p{L}\p{N} _.:/=+\-@]/gu;

/**
 * The tags that record an override on its parameter.
 *
 * @example
 * await overrides.record(name, overrideTags(record));
 */
export function overrideTags(record: OverrideRecord): Tag[] {
  const tags: Tag[] = [
    { key: OVERRIDE_TAGS.marker, value: OVERRIDE_MARKER_VALUE },
    { key: OVERRIDE_TAGS.until, value: record.until.toISOString() },
    { key: OVERRIDE_TAGS.appliedAt, value: record.appliedAt.toISOString() },
    { key: OVERRIDE_TAGS.actor, value: tagSafe(record.actor) },
    { key: OVERRIDE_TAGS.reason, value: tagSafe(record.reason) },
  ];
  if (record.approvedBy !== undefined) {
    tags.push({ key: OVERRIDE_TAGS.approvedBy, value: tagSafe(record.approvedBy) });
  }
  return tags;
}

/** Replace what SSM refuses in a tag value and cut it to 256 characters. */
export function tagSafe(text: string): string {
  return text.replace(TAG_VALUE_UNSAFE, '_').slice(0, TAG_VALUE_MAX);
}

/** The settings `steward override` obeys (`overrides` in settings.json). */
export interface OverridePolicy {
  readonly maxDurationHours: number;
  /** Environments where `--approved-by` must name a second principal. */
  readonly requireApprovalIn: readonly string[];
}

export interface OverrideRequest {
  /** A full parameter name, or `<service>/<key>` with `environment`. */
  readonly parameter: string;
  readonly value: string;
  readonly reason?: string;
  /** An ISO 8601 time with a zone, or a duration from now: `90m`, `4h`, `1d`. */
  readonly until?: string;
  readonly environment?: string;
  readonly approvedBy?: string;
}

/** An override that passed every check: what to write and what to record. */
export interface PlannedOverride {
  readonly name: string;
  readonly environment: string;
  readonly service: string;
  readonly key: string;
  readonly value: string;
  readonly parameterType: ParameterType;
  readonly record: OverrideRecord;
  /** The reason as given (the tag holds {@link tagSafe} of it). */
  readonly reason: string;
}

export type OverridePlan =
  | { readonly ok: true; readonly override: PlannedOverride }
  | { readonly ok: false; readonly problems: readonly string[] };

const REASON_MIN = 10;
const REASON_MAX = 1000;
const RELATIVE_UNTIL = /^(\d+)(m|h|d)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Check an override request before anything is written: a declared key, a value its schema accepts
 * (the validation validate-change applies), a reason, an `until` in the future and within the
 * settings' maximum, and a second principal where the settings require one. Every problem is
 * reported at once; none quotes the value.
 *
 * @example
 * const plan = planOverride(request, { registry, policy: settings.overrides, now, caller });
 * if (!plan.ok) refuse(plan.problems);
 */
export function planOverride(
  request: OverrideRequest,
  context: {
    readonly registry: SchemaRegistry;
    readonly policy: OverridePolicy;
    readonly now: Date;
    /** The caller identity's ARN (STS GetCallerIdentity). */
    readonly caller: string;
  },
): OverridePlan {
  const { registry, policy, now, caller } = context;
  const unknownApprovalEnvironments = policy.requireApprovalIn.filter(
    (env) => !registry.environments.includes(env),
  );
  if (unknownApprovalEnvironments.length > 0) {
    // A misspelt environment would silently waive the approval it was meant to demand.
    return {
      ok: false,
      problems: [
        `settings overrides.requireApprovalIn names unknown environments: ${unknownApprovalEnvironments.join(', ')}`,
      ],
    };
  }
  const name = parameterNameOf(request, registry);
  if (!name.ok) return { ok: false, problems: [name.problem] };
  const resolution = registry.resolve(name.name);
  if (!resolution.ok) return { ok: false, problems: [`${name.name}: ${resolution.message}`] };

  const problems: string[] = [];
  const verdict = registry.validate(resolution.name, request.value, resolution.spec.parameterType);
  if (!verdict.valid) {
    for (const issue of verdict.issues) {
      // A codec message may quote the value, which may be a secret: never repeat it.
      const message = request.value === '' ? issue.message : issue.message.replaceAll(request.value, '…');
      problems.push(`value refused by the schema of ${resolution.key}: ${issue.path}: ${message}`);
    }
  }
  const reason = request.reason?.trim() ?? '';
  if (reason.length < REASON_MIN || reason.length > REASON_MAX) {
    problems.push(
      `--reason is required: ${REASON_MIN}–${REASON_MAX} characters saying why (an incident id helps)`,
    );
  }
  const until = parseUntil(request.until, now);
  if (!until.ok) {
    problems.push(until.problem);
  } else if (until.date.getTime() <= now.getTime()) {
    problems.push(`--until ${until.date.toISOString()} is not in the future`);
  } else if (until.date.getTime() - now.getTime() > policy.maxDurationHours * UNIT_MS.h!) {
    problems.push(
      `--until ${until.date.toISOString()} is beyond the settings' maximum of ${policy.maxDurationHours} h ` +
        '(overrides.maxDurationHours): fold the change into git instead',
    );
  }
  const approvedBy = request.approvedBy?.trim() || undefined;
  if (policy.requireApprovalIn.includes(resolution.environment) && approvedBy === undefined) {
    problems.push(
      `${resolution.environment} requires a second principal: name who approved it with --approved-by`,
    );
  }
  if (approvedBy !== undefined && samePrincipal(approvedBy, caller)) {
    problems.push(`--approved-by must name another principal than the caller (${caller})`);
  }
  if (problems.length > 0 || !until.ok) return { ok: false, problems };

  return {
    ok: true,
    override: {
      name: resolution.name,
      environment: resolution.environment,
      service: resolution.service,
      key: resolution.key,
      value: request.value,
      parameterType: resolution.spec.parameterType,
      reason,
      record: {
        parameter: resolution.name,
        until: until.date,
        appliedAt: now,
        actor: caller,
        reason: tagSafe(reason),
        ...(approvedBy === undefined ? {} : { approvedBy }),
      },
    },
  };
}

function parameterNameOf(
  request: OverrideRequest,
  registry: SchemaRegistry,
): { ok: true; name: string } | { ok: false; problem: string } {
  if (request.parameter.startsWith('/')) {
    const resolution = registry.resolve(request.parameter);
    if (request.environment !== undefined && resolution.environment !== request.environment) {
      return {
        ok: false,
        problem: `${request.parameter} is not in --env ${request.environment}`,
      };
    }
    return { ok: true, name: request.parameter };
  }
  if (request.environment === undefined) {
    return {
      ok: false,
      problem: `name the environment: --env E with <service>/<key>, or a full name /${registry.parameterRoot}/<env>/<service>/<key>`,
    };
  }
  const [service = '', ...key] = request.parameter.split('/');
  return { ok: true, name: registry.parameterName(request.environment, service, key.join('/')) };
}

function parseUntil(
  text: string | undefined,
  now: Date,
): { ok: true; date: Date } | { ok: false; problem: string } {
  if (text === undefined || text.trim() === '') {
    return {
      ok: false,
      problem: '--until is required: when the override ends (e.g. 4h, or 2026-12-01T18:00Z)',
    };
  }
  const relative = RELATIVE_UNTIL.exec(text.trim());
  if (relative) {
    return { ok: true, date: new Date(now.getTime() + Number(relative[1]) * UNIT_MS[relative[2]!]!) };
  }
  // A time without a zone would mean the operator's local time on one machine and UTC on another.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) {
    return {
      ok: false,
      problem: `--until ${text}: give a duration (90m, 4h, 1d) or an ISO 8601 time with a zone (…Z or …+01:00)`,
    };
  }
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime())
    ? { ok: false, problem: `--until ${text}: not a time (e.g. 2026-12-01T18:00Z)` }
    : { ok: true, date };
}

/**
 * Whether the approver names the caller: its full ARN, or the session or user name at its end
 * (`arn:aws:sts::1:assumed-role/OnCall/alice` is `alice`), compared without case.
 */
function samePrincipal(approver: string, caller: string): boolean {
  const a = approver.toLowerCase();
  const c = caller.toLowerCase();
  const callerName = c.split('/').at(-1);
  const approverName = a.split('/').at(-1);
  return a === c || a === callerName || (a.startsWith('arn:') && approverName === callerName);
}
