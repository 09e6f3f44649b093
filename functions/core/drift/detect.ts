/**
 * Drift detection, pure: from the desired state (the registry) and a snapshot of what is deployed, the
 * list of findings. One problem yields one finding: a parameter that is invalid is not also reported as
 * drifted, and a key already reported as missing or drifted is not also reported as diverging. Values
 * that must not travel are marked `conceal` here and fingerprinted by `concealValues` (conceal.ts).
 */
import { looksLikeCredential } from '../credentials.ts';
import { mayShowValues } from '../disclosure.ts';
import type { SchemaRegistry } from '../registry.ts';
import { overrideState } from '../override.ts';
import type { DetectedFinding } from './findings.ts';
import type { SecretRotationState } from '../../ports/drift.ts';
import type { DriftSnapshot, ObservedParameter } from './read.ts';

export interface DetectOptions {
  readonly now: Date;
  /** A version changed this recently may still be under validation: no label-mismatch yet. @default 15 */
  readonly validationGraceMinutes?: number;
}

const DAY_MS = 86_400_000;

/**
 * @example
 * const findings = detectDrift(registry, snapshot, { now: clock.now() });
 */
export function detectDrift(
  registry: SchemaRegistry,
  snapshot: DriftSnapshot,
  options: DetectOptions,
): DetectedFinding[] {
  const findings: DetectedFinding[] = [];
  for (const failure of snapshot.failures) {
    findings.push({
      kind: 'read-error',
      parameter: failure.path,
      environment: failure.environment,
      service: failure.service,
      detail: `could not be read, so it was not checked: ${failure.error}`,
    });
  }
  const graceMs = (options.validationGraceMinutes ?? 15) * 60_000;
  const byName = new Map(snapshot.parameters.map((p) => [p.name, p]));
  const unreadable = (name: string) => snapshot.failures.some((f) => name.startsWith(f.path));
  // A checkpointed run reads one service per snapshot: what lies outside it is not missing.
  const unread = (name: string) => !snapshot.checkedPaths.some((path) => name.startsWith(path));

  for (const parameter of snapshot.parameters) {
    findings.push(...checkParameter(registry, parameter, options.now, graceMs));
  }

  for (const environment of snapshot.environments) {
    for (const desired of registry.desiredParameters(environment)) {
      if (byName.has(desired.name) || unreadable(desired.name) || unread(desired.name)) continue;
      const showable = mayShowValues({
        key: desired.key,
        sensitive: registry.service(desired.service)?.keys[desired.key]?.sensitive,
        values: [{ type: desired.parameterType, value: desired.value }],
      });
      findings.push({
        kind: 'missing',
        parameter: desired.name,
        environment,
        service: desired.service,
        key: desired.key,
        expected: desired.value,
        values: showable ? 'plain' : 'conceal',
        detail: `declared in config/ for ${environment} but absent from Parameter Store`,
      });
    }
  }

  findings.push(...detectDivergence(registry, snapshot, findings, unreadable));
  if (snapshot.secrets) findings.push(...checkSecrets(registry, snapshot.secrets, options.now));
  return findings;
}

function checkParameter(
  registry: SchemaRegistry,
  parameter: ObservedParameter,
  now: Date,
  graceMs: number,
): DetectedFinding[] {
  const { name, environment, value } = parameter;
  const resolution = registry.resolve(name);
  const identity = { service: resolution.service, key: resolution.key };
  const base = { parameter: name, environment, lastModifiedUser: parameter.lastModifiedUser, ...identity };
  const findings: DetectedFinding[] = [];

  if (parameter.type === 'String' && value !== undefined) {
    const credential = looksLikeCredential(identity.key ?? name, value);
    if (credential.matched) {
      findings.push({
        ...base,
        kind: 'plaintext-secret',
        actual: value,
        values: 'conceal',
        detail: `a plain String parameter looks like a credential (${credential.reason}); move it to a SecureString or a secret`,
      });
    }
  }

  if (!resolution.ok) {
    findings.push({
      ...base,
      kind: 'unmanaged',
      detail: `under the root but declared by no service: ${resolution.message}`,
    });
    return findings;
  }
  if (value === undefined) return findings;

  const desired = registry.desiredValue(environment, resolution.service, resolution.key);
  // The desired value is shown beside the actual one, so both must be showable.
  const showable = mayShowValues({
    key: resolution.key,
    sensitive: resolution.spec.sensitive,
    values: [
      { type: parameter.type, value },
      ...(desired === undefined ? [] : [{ type: resolution.spec.parameterType, value: desired }]),
    ],
  });
  const values = showable ? 'plain' : 'conceal';

  const verdict = registry.validate(name, value, parameter.type);
  if (!verdict.valid) {
    const issues = verdict.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    // A codec message could quote the value; a secret's never leaves.
    const redacted = value === '' ? issues : issues.replaceAll(value, '[redacted]');
    findings.push({
      ...base,
      kind: 'invalid',
      actual: value,
      values,
      detail: `fails its schema now (a change that skipped validation?): ${showable ? redacted : redacted.replace(/"[^"]*"/g, '"…"')}`,
    });
    return findings;
  }
  const override = parameter.override && overrideState(parameter.override, now, value, desired);
  if (parameter.override && override && override !== 'settled') {
    // An override is reported as what it is, never also as value drift.
    const { until, actor, approvedBy, reason } = parameter.override;
    const who = `by ${actor}${approvedBy ? `, approved by ${approvedBy}` : ''} ("${reason}")`;
    findings.push({
      ...base,
      kind: override === 'active' ? 'override' : 'override-expired',
      ...(desired === undefined ? {} : { expected: desired }),
      actual: value,
      values,
      detail:
        override === 'active'
          ? `break-glass override ${who} until ${until.toISOString()}; deploys keep it until then: fold it into config/ or let it expire`
          : `break-glass override ${who} expired ${until.toISOString()} and still differs from config/: fold it into config/, or the next deploy restores the value in git`,
    });
  } else if (desired !== undefined && desired !== value) {
    findings.push({
      ...base,
      kind: 'value-drift',
      expected: desired,
      actual: value,
      values,
      detail: `version ${parameter.version} differs from the value declared in config/`,
    });
  }
  const changedAt = parameter.lastModifiedDate?.getTime() ?? 0;
  const settled = now.getTime() - changedAt >= graceMs;
  if (settled && parameter.labelledVersion !== parameter.version) {
    findings.push({
      ...base,
      kind: 'label-mismatch',
      detail:
        parameter.labelledVersion === undefined
          ? `no version is labelled last-known-good; current version ${parameter.version} was never accepted by validation`
          : `current version ${parameter.version} is not the last-known-good version ${parameter.labelledVersion} and is not being validated`,
    });
  }
  return findings;
}

/** Keys whose stored values differ between environments, or exist in only one, without a declared reason. */
function detectDivergence(
  registry: SchemaRegistry,
  snapshot: DriftSnapshot,
  already: readonly DetectedFinding[],
  unreadable: (name: string) => boolean,
): DetectedFinding[] {
  const findings: DetectedFinding[] = [];
  const environments = snapshot.environments;
  if (environments.length < 2) return findings;
  const reported = new Set(
    already
      .filter((f) => ['missing', 'value-drift', 'invalid', 'override', 'override-expired'].includes(f.kind))
      .map((f) => f.parameter),
  );
  const managed = new Map<string, Map<string, ObservedParameter>>();
  for (const parameter of snapshot.parameters) {
    const resolution = registry.resolve(parameter.name);
    if (!resolution.ok) continue;
    const id = `${resolution.service}\u0000${resolution.key}`;
    const perEnvironment = managed.get(id) ?? new Map<string, ObservedParameter>();
    perEnvironment.set(parameter.environment, parameter);
    managed.set(id, perEnvironment);
  }
  for (const [id, perEnvironment] of managed) {
    const [service = '', key = ''] = id.split('\u0000');
    const override = (registry.service(service)?.expectedOverrides as Record<string, string> | undefined)?.[
      key
    ];
    if (override) continue;
    const names = new Map(environments.map((env) => [env, registry.parameterName(env, service, key)]));
    const readable = environments.filter((env) => !unreadable(names.get(env) ?? ''));
    const [reference, ...others] = readable;
    if (!reference) continue;
    const referenceName = names.get(reference) ?? '';
    for (const environment of others) {
      const name = names.get(environment) ?? '';
      if (reported.has(name) || reported.has(referenceName)) continue;
      const a = perEnvironment.get(reference);
      const b = perEnvironment.get(environment);
      if (!a && !b) continue;
      const base = { kind: 'env-divergence' as const, parameter: name, environment, service, key };
      if (!a || !b) {
        findings.push({
          ...base,
          detail: `exists in ${a ? reference : environment} only, and config/ declares no expected override for "${key}"`,
        });
        continue;
      }
      // Secrets are meant to differ per environment: only their presence is compared.
      if (a.type === 'SecureString' || b.type === 'SecureString') continue;
      if (a.value === undefined || b.value === undefined || a.value === b.value) continue;
      const showable = mayShowValues({
        key,
        sensitive: registry.service(service)?.keys[key]?.sensitive,
        values: [
          { type: a.type, value: a.value },
          { type: b.type, value: b.value },
        ],
      });
      findings.push({
        ...base,
        expected: a.value,
        actual: b.value,
        values: showable ? 'plain' : 'conceal',
        detail: `differs between ${reference} (expected) and ${environment} (actual), and config/ declares no expected override for "${key}"`,
      });
    }
  }
  return findings;
}

function checkSecrets(
  registry: SchemaRegistry,
  states: readonly SecretRotationState[],
  now: Date,
): DetectedFinding[] {
  const findings: DetectedFinding[] = [];
  for (const state of states) {
    const [, environment = '', service = '', ...rest] = state.name.split('/');
    const secret = rest.join('/');
    const spec = registry.service(service)?.secrets?.[secret];
    const base = { parameter: state.name, environment, service, key: secret, resourceArn: state.arn };
    if (!state.exists) {
      findings.push({
        ...base,
        kind: 'missing',
        detail: 'a managed secret does not exist in Secrets Manager',
      });
      continue;
    }
    const problem = rotationProblem(state, spec?.rotation.schedule, spec?.rotation.window, now);
    if (problem) findings.push({ ...base, kind: 'rotation-overdue', detail: problem });
  }
  return findings;
}

/** Why a secret's rotation is overdue, or undefined when it is on time. */
export function rotationProblem(
  state: SecretRotationState,
  schedule: string | undefined,
  window: string | undefined,
  now: Date,
): string | undefined {
  if (!state.rotationEnabled) return 'rotation is turned off';
  if (state.lastRotationFailed) return 'the last rotation failed (an AWSPENDING version was never promoted)';
  const interval = scheduleIntervalMs(state.scheduleExpression ?? schedule);
  const allowed = interval + windowMs(window) + DAY_MS;
  const last = state.lastRotatedDate ?? state.createdDate;
  if (last && now.getTime() - last.getTime() > allowed) {
    return `last rotated ${Math.floor((now.getTime() - last.getTime()) / DAY_MS)} days ago; the schedule allows ${Math.ceil(allowed / DAY_MS)}`;
  }
  if (
    state.nextRotationDate &&
    now.getTime() - state.nextRotationDate.getTime() > windowMs(window) + DAY_MS
  ) {
    return `the rotation due ${state.nextRotationDate.toISOString()} has not happened`;
  }
  return undefined;
}

/** The period of a Secrets Manager schedule expression: `rate(N days|hours)` or a weekly/monthly/daily cron. */
export function scheduleIntervalMs(expression: string | undefined): number {
  if (!expression) return 30 * DAY_MS;
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? 'days';
    return n * (unit.startsWith('minute') ? 60_000 : unit.startsWith('hour') ? 3_600_000 : DAY_MS);
  }
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$/.exec(expression.trim());
  if (cron) {
    const [, , , dayOfMonth = '*', month = '*', dayOfWeek = '?'] = cron;
    if (month !== '*' && month !== '?') return 366 * DAY_MS;
    if (dayOfMonth !== '*' && dayOfMonth !== '?') return 31 * DAY_MS;
    if (dayOfWeek !== '*' && dayOfWeek !== '?') return 7 * DAY_MS;
    return DAY_MS;
  }
  return 30 * DAY_MS;
}

function windowMs(window: string | undefined): number {
  const match = /^(\d+)h$/.exec(window ?? '');
  return match ? Number(match[1]) * 3_600_000 : DAY_MS;
}
