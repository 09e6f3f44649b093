/**
 * `steward check`: validates the whole desired state offline, before anything reaches AWS. Every
 * finding names what it is about and why; a value is shown only when it is plain and not
 * credential-shaped.
 */
import { looksLikeCredential } from './credentials.ts';
import { mayShowValues } from './disclosure.ts';
import { checkFlagDefinition } from './flags/metadata.ts';
import { checkFlagRules } from './flags/rule-check.ts';
import { futureCreatedProblem, plannedLifetimeProblem } from './flags/policy.ts';
import type { KeySpec } from './keys.ts';
import { type Organisation, type ServiceDefinition, SHARED_SERVICE } from './model.ts';
import { SchemaRegistry } from './registry.ts';
import { databaseProblems, postgresNetworkProblem } from './rotation/database-endpoint.ts';
import { declaredSecrets } from './rotation/naming.ts';
import type { Settings } from './settings.ts';
import { containsClassicZod, miniSourceOf } from './zod-flavour.ts';

export type CheckRule =
  | 'unknown-environment'
  | 'unknown-key'
  | 'invalid-value'
  | 'secret-in-git'
  | 'plaintext-credential'
  | 'document'
  | 'undeclared-override'
  | 'override-reason'
  | 'flag'
  | 'secret'
  | 'network'
  | 'duplicate-service'
  | 'classic-zod';

export interface CheckFinding {
  readonly rule: CheckRule;
  /** The parameter name, or `<service>` / `<service>:<flag>` / `<service>:<secret>`. */
  readonly subject: string;
  readonly message: string;
  /** The offending value, only when it is a plain, non-credential value. */
  readonly value?: string;
}

const SCHEDULE = /^(rate\((1 day|[1-9][0-9]* days|[1-9][0-9]* hours)\)|cron\(\S+ \S+ \S+ \S+ \S+ \S+\))$/;
const WINDOW = /^[1-9][0-9]*h$/;

export interface CheckOptions {
  /**
   * The UTC day of the check, `YYYY-MM-DD`, for the one rule that reads the calendar: a flag's
   * `created` may not lie in the future. @default that rule is not applied
   */
  readonly today?: string;
}

/**
 * @example
 * const findings = checkDesiredState(organisation, settings, { today: utcDay(new Date()) });
 * process.exitCode = findings.length === 0 ? 0 : 1;
 */
export function checkDesiredState(
  organisation: Organisation,
  settings: Settings,
  options: CheckOptions = {},
): CheckFinding[] {
  const environments = settings.environments.map((e) => e.name);
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: settings.parameterRoot,
    parameterTier: settings.parameterTier,
    environments,
  });
  const findings: CheckFinding[] = [];
  const seen = new Set<string>();
  for (const service of organisation.services) {
    if (seen.has(service.name)) {
      findings.push({ rule: 'duplicate-service', subject: service.name, message: 'service declared twice' });
    }
    seen.add(service.name);
    findings.push(...checkValues(service, registry, environments));
    findings.push(...checkOverrides(service, environments));
    findings.push(...checkSecrets(service, environments));
    findings.push(...checkSchemaFlavour(service));
    for (const [flag, definition] of Object.entries(service.flags ?? {})) {
      const lifetime = [
        plannedLifetimeProblem(definition),
        options.today === undefined ? undefined : futureCreatedProblem(definition, options.today),
      ].filter((problem) => problem !== undefined);
      const messages = [
        ...checkFlagDefinition(definition, environments),
        ...checkFlagRules(definition, service.evaluationContext),
        ...lifetime,
      ];
      for (const message of messages) {
        findings.push({ rule: 'flag', subject: `${service.name}:${flag}`, message });
      }
    }
  }
  const network = postgresNetworkProblem(
    declaredSecrets(organisation, settings.parameterRoot, environments),
    settings.vpc,
  );
  if (network) findings.push({ rule: 'network', subject: 'settings.vpc', message: network });
  for (const service of registry.serviceNames()) {
    for (const environment of environments) {
      const composed = registry.compose(service, environment);
      if (composed.ok) continue;
      for (const issue of composed.issues) {
        findings.push({
          rule: 'document',
          subject: `${service} (${environment})`,
          message: `composed document: ${issue.path}: ${issue.message}`,
        });
      }
    }
  }
  return findings;
}

function checkValues(
  service: ServiceDefinition,
  registry: SchemaRegistry,
  environments: string[],
): CheckFinding[] {
  const findings: CheckFinding[] = [];
  for (const [environment, values] of Object.entries(service.values)) {
    if (!environments.includes(environment)) {
      findings.push({
        rule: 'unknown-environment',
        subject: service.name,
        message: `values for unknown environment "${environment}" (known: ${environments.join(', ')})`,
      });
      continue;
    }
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      const name = registry.parameterName(environment, service.name, key);
      const spec: KeySpec | undefined = service.keys[key];
      if (!spec) {
        findings.push({
          rule: 'unknown-key',
          subject: name,
          message: `service "${service.name}" declares no key "${key}"`,
        });
        continue;
      }
      if (spec.parameterType === 'SecureString') {
        findings.push({
          rule: 'secret-in-git',
          subject: name,
          message: 'a SecureString key has a desired value in git; set it out of band instead',
        });
        continue;
      }
      const raw = encodeLoosely(spec, value);
      const verdict = registry.validate(name, raw, spec.parameterType);
      const credential = looksLikeCredential(key, raw);
      const shown = mayShowValues({
        key,
        sensitive: spec.sensitive,
        values: [{ type: spec.parameterType, value: raw }],
      })
        ? raw
        : undefined;
      for (const issue of verdict.issues) {
        findings.push({
          rule: 'invalid-value',
          subject: name,
          message: `${issue.path}: ${issue.message}`,
          value: shown,
        });
      }
      if (credential.matched) {
        findings.push({
          rule: 'plaintext-credential',
          subject: name,
          message: `looks like a credential in a plain String parameter (${credential.reason}); use a secret`,
        });
      }
    }
  }
  return findings;
}

/** Encode a desired value even when it has the wrong type (a JS config bypassing tsc), for checking. */
function encodeLoosely(spec: KeySpec, value: unknown): string {
  if (spec.kind === 'json') return JSON.stringify(value);
  return typeof value === 'string' ? value : String(value);
}

function checkOverrides(service: ServiceDefinition, environments: string[]): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const overrides = (service.expectedOverrides ?? {}) as Record<string, string | undefined>;
  for (const [key, reason] of Object.entries(overrides)) {
    if (!(key in service.keys)) {
      findings.push({
        rule: 'unknown-key',
        subject: service.name,
        message: `expected override for undeclared key "${key}"`,
      });
    } else if (!reason || reason.trim().length < 10) {
      findings.push({
        rule: 'override-reason',
        subject: `${service.name}/${key}`,
        message: 'an expected override needs a reason',
      });
    }
  }
  for (const key of Object.keys(service.keys)) {
    if (overrides[key]) continue;
    const distinct = new Set(
      environments.map((env) =>
        JSON.stringify((service.values[env] as Record<string, unknown> | undefined)?.[key] ?? null),
      ),
    );
    if (distinct.size > 1) {
      findings.push({
        rule: 'undeclared-override',
        subject: `${service.name}/${key}`,
        message: `differs between environments (${environments.join(', ')}) without a declared expected override`,
      });
    }
  }
  return findings;
}

function checkSecrets(service: ServiceDefinition, environments: string[]): CheckFinding[] {
  const findings: CheckFinding[] = [];
  for (const [name, secret] of Object.entries(service.secrets ?? {})) {
    const subject = `${service.name}:${name}`;
    const problem = (message: string) => findings.push({ rule: 'secret', subject, message });
    if (service.name === SHARED_SERVICE) problem('secrets belong to a service, not to the shared layer');
    if (!SCHEDULE.test(secret.rotation.schedule)) {
      problem('rotation schedule must be rate(N days|hours) or cron(six fields)');
    }
    if (secret.rotation.window !== undefined && !WINDOW.test(secret.rotation.window)) {
      problem('rotation window must be whole hours such as 3h');
    }
    const postgres = secret.rotation.strategy !== 'random';
    if (postgres && secret.shape !== 'postgres')
      problem(`strategy ${secret.rotation.strategy} needs shape postgres`);
    if (!postgres && !secret.random) problem('strategy random needs a random spec (length, alphabet, field)');
    if (secret.random && (secret.random.length < 16 || secret.random.length > 4096)) {
      problem('random length must be between 16 and 4096');
    }
    if (secret.rotation.strategy === 'postgres-alternating-users' && !secret.masterSecret) {
      problem('postgres-alternating-users needs a masterSecret');
    }
    for (const env of secret.environments ?? []) {
      if (!environments.includes(env)) problem(`unknown environment "${env}"`);
    }
    for (const message of databaseProblems(secret, environments)) problem(message);
  }
  return findings;
}

/**
 * config/ is bundled into the Lambdas, which use zod/mini: one classic schema under `json()` pulls
 * classic zod into five bundles (about 48 KB more at each cold start) and past bench/budgets.json.
 * Refusing it here, with the mini source, beats an unexplained budget failure later.
 */
function checkSchemaFlavour(service: ServiceDefinition): CheckFinding[] {
  const findings: CheckFinding[] = [];
  for (const [key, spec] of Object.entries(service.keys)) {
    if (!containsClassicZod(spec.schema)) continue;
    const { source, complete } = miniSourceOf(spec.schema);
    findings.push({
      rule: 'classic-zod',
      subject: `${service.name}/${key}`,
      message:
        "json() takes a zod/mini schema, not classic zod (import * as z from 'zod'), which would add " +
        'about 48 KB to the cold start of every Lambda that bundles config/. ' +
        `With import * as z from 'zod/mini' it reads: ${source}` +
        (complete ? '' : ' (translate the parts marked "write by hand")'),
    });
  }
  return findings;
}
