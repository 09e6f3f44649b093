/**
 * `steward plan`'s core: what the next deploy of `config/` would do to each environment, read from
 * the live state through the ports and never written. Parameters: the reconcile's writes with old →
 * new value and who wrote the old one (`parameter-plan.ts`, `last-deploy.ts`). AppConfig: each
 * document and flags document that differs from the deployed version, as a diff
 * (`document-plan.ts`), and the deployment each would start with its environment's strategy.
 * Values that may not be shown leave as keyed fingerprints only.
 */
import type { DeployedConfigurationReader, ServiceProfiles } from '../../ports/deployed-configuration.ts';
import type { DriftParameterSource } from '../../ports/drift.ts';
import type { StoredParameter } from '../../ports/parameter-store.ts';
import type { ValueFingerprinter } from '../../ports/value-fingerprinter.ts';
import { CONCEAL_CONCURRENCY, fingerprintAll } from '../drift/conceal.ts';
import { ConfigurationError } from '../errors.ts';
import type { RawValueLookup, SchemaRegistry } from '../registry.ts';
import type { EnvironmentSettings } from '../settings.ts';
import {
  canonicalText,
  concealmentOf,
  desiredDocuments,
  type ParsedDocument,
  parseDocument,
  type ProfileKind,
  pathsToConceal,
  valuesAt,
} from './document-plan.ts';
import { deployerMatcher, type LastDeploy, lastDeployOf } from './last-deploy.ts';
import type { OverrideStore } from '../../ports/override-store.ts';
import { activeOverrideNames } from '../override.ts';
import { type LeftParameter, type PlannedWrite, planParameters } from './parameter-plan.ts';
import { diffStat, unifiedDiff } from './unified-diff.ts';

export interface PlanSources {
  readonly registry: SchemaRegistry;
  /** Each environment's deployment strategy, from the settings. */
  readonly environments: readonly Pick<EnvironmentSettings, 'name' | 'deploymentStrategy'>[];
  readonly parameters: Pick<DriftParameterSource, 'getByPath' | 'describe' | 'getMany'>;
  /**
   * Where break-glass overrides are recorded, and the time to judge them by: a parameter an active one
   * holds is not written by the deploy, so the plan does not list it. @default none read
   */
  readonly overrides?: { readonly store: Pick<OverrideStore, 'overridesUnder'>; readonly now: () => Date };
  readonly appConfig: DeployedConfigurationReader;
  readonly fingerprinter: ValueFingerprinter;
}

export interface PlanOptions {
  /** The environments to plan, in order. */
  readonly environments: readonly string[];
  /** Prefix of the AppConfig application and strategy names (the stack's `namePrefix`). @default '' */
  readonly namePrefix?: string;
  /** Principals whose writes are deploys, beside the stack's reconcile role (see `last-deploy.ts`). */
  readonly deployers?: readonly string[];
  /** Each service's AppConfig ids when known (`STEWARD_APPCONFIG`); else found by name. */
  readonly targets?: Readonly<Record<string, ServiceProfiles>>;
}

/** The deployed version a document would replace. */
export interface DeployedVersion {
  readonly deploymentNumber: number;
  readonly configurationVersion: string;
  readonly versionLabel?: string;
  readonly state: string;
  readonly startedAt?: Date;
}

/** A hosted document that would change, and how. */
export interface PlannedDocument {
  readonly service: string;
  readonly profile: ProfileKind;
  /** `create`: AppConfig ships no version of it to this environment yet. */
  readonly action: 'create' | 'update';
  readonly deployed?: DeployedVersion;
  /** Unified diff, deployed → desired, values that may not be shown as fingerprints. */
  readonly diff: string;
  readonly added: number;
  readonly removed: number;
}

/** A deployment the change would start: AppConfig runs one at a time per service environment. */
export interface PlannedDeployment {
  readonly service: string;
  readonly profile: ProfileKind;
  /** The deployment strategy's name, as the stack creates it. */
  readonly strategy: string;
  readonly deploymentDurationInMinutes: number;
  readonly finalBakeTimeInMinutes: number;
  readonly growthType: string;
  readonly growthFactor: number;
  /** Rollout plus bake. */
  readonly minutes: number;
}

export interface EnvironmentPlan {
  readonly environment: string;
  readonly lastDeploy?: LastDeploy;
  /** Writes, their values plain or fingerprinted. */
  readonly writes: readonly PlannedWrite[];
  readonly left: readonly LeftParameter[];
  readonly unchangedParameters: number;
  readonly documents: readonly PlannedDocument[];
  readonly unchangedDocuments: number;
  readonly deployments: readonly PlannedDeployment[];
  /**
   * Minutes until the last deployment completes: a service's deployments run one after the other
   * (one per AppConfig environment at a time), services side by side.
   */
  readonly rolloutMinutes: number;
}

export interface Plan {
  readonly environments: readonly EnvironmentPlan[];
  /**
   * Services AppConfig has no application for (under the name prefix): their documents show as
   * created, which is true before their first deploy and a wrong `--prefix` otherwise.
   */
  readonly servicesNotInAppConfig: readonly string[];
  /** Writes plus documents that change, over every environment: 0 means the deploy changes nothing. */
  readonly changes: number;
}

/**
 * @example
 * const plan = await planChanges({ registry, environments: settings.environments, parameters, appConfig, fingerprinter },
 *   { environments: ['production'] });
 * process.exitCode = plan.changes > 0 ? 2 : 0;
 */
export async function planChanges(sources: PlanSources, options: PlanOptions): Promise<Plan> {
  const services = sources.registry.serviceNames();
  const targets =
    options.targets ?? (await sources.appConfig.locate(services, { namePrefix: options.namePrefix ?? '' }));
  const environments: EnvironmentPlan[] = [];
  for (const environment of options.environments) {
    environments.push(await planEnvironment(sources, options, targets, environment));
  }
  const changes = environments.reduce((sum, e) => sum + e.writes.length + e.documents.length, 0);
  return { environments, servicesNotInAppConfig: services.filter((s) => !targets[s]), changes };
}

async function planEnvironment(
  sources: PlanSources,
  options: PlanOptions,
  targets: Readonly<Record<string, ServiceProfiles>>,
  environment: string,
): Promise<EnvironmentPlan> {
  const { registry } = sources;
  const path = `/${registry.parameterRoot}/${environment}/`;
  const stored = await sources.parameters.getByPath(path, { decrypt: false });
  const metadata = await sources.parameters.describe(path);
  const isDeployer = deployerMatcher(options.deployers ?? []);
  const lastDeploy = lastDeployOf(metadata, isDeployer);

  // A plain desired value replacing a live SecureString: its old value is needed (decrypted) to fingerprint it.
  const desiredPlain = new Set(
    registry
      .desiredParameters(environment)
      .filter((d) => d.parameterType === 'String')
      .map((d) => d.name),
  );
  const secureToReplace = stored.filter((p) => p.type === 'SecureString' && desiredPlain.has(p.name));
  const decrypted = new Map(
    secureToReplace.length === 0
      ? []
      : (await sources.parameters.getMany(secureToReplace.map((p) => p.name))).map((p) => [p.name, p.value]),
  );
  const overridden = sources.overrides
    ? activeOverrideNames(await sources.overrides.store.overridesUnder(path), sources.overrides.now())
    : undefined;
  const parameters = planParameters(
    registry,
    environment,
    { stored, metadata, decrypted, overridden },
    { lastDeploy, isDeployer },
  );

  const compared = await readDocuments(
    sources,
    targets,
    environment,
    valuesAfterWrites(registry, environment, stored, parameters.writes),
  );
  const toConceal = new Set<string>();
  for (const write of parameters.writes) {
    if (write.values !== 'conceal') continue;
    if (write.old) toConceal.add(write.old.value);
    toConceal.add(write.new.value);
  }
  const concealedPaths = compared.map((pair) => {
    const sides = [pair.desired, ...(pair.deployed ? [pair.deployed.document] : [])];
    const paths = new Set(sides.flatMap((side) => [...pathsToConceal(side, pair.concealment)]));
    for (const side of sides) for (const raw of valuesAt(side, paths)) toConceal.add(raw);
    return paths;
  });
  const fingerprints = await fingerprintAll([...toConceal], sources.fingerprinter, CONCEAL_CONCURRENCY);

  const writes = parameters.writes.map((write) => concealWrite(write, fingerprints));
  const documents: PlannedDocument[] = [];
  for (const [index, pair] of compared.entries()) {
    const paths = concealedPaths[index] as Set<string>;
    const after = canonicalText(pair.desired, paths, fingerprints);
    const before = pair.deployed ? canonicalText(pair.deployed.document, paths, fingerprints) : '';
    if (pair.deployed && before === after) continue;
    const label = `${pair.service} ${pair.profile} (${environment})`;
    const diff = unifiedDiff(before, after, {
      from: pair.deployed ? `deployed version ${pair.deployed.version.configurationVersion}` : '/dev/null',
      to: `config/ ${label}`,
    });
    documents.push({
      service: pair.service,
      profile: pair.profile,
      action: pair.deployed ? 'update' : 'create',
      ...(pair.deployed ? { deployed: pair.deployed.version } : {}),
      diff,
      ...diffStat(diff),
    });
  }

  const deployments = documents.map((document) =>
    deploymentOf(sources, options, environment, document.service, document.profile),
  );
  const perService = new Map<string, number>();
  for (const d of deployments) perService.set(d.service, (perService.get(d.service) ?? 0) + d.minutes);

  return {
    environment,
    ...(lastDeploy ? { lastDeploy } : {}),
    writes,
    left: parameters.left,
    unchangedParameters: parameters.unchanged,
    documents,
    unchangedDocuments: compared.length - documents.length,
    deployments,
    rolloutMinutes: Math.max(0, ...perService.values()),
  };
}

interface ComparedDocument {
  readonly service: string;
  readonly profile: ProfileKind;
  readonly concealment: ReturnType<typeof concealmentOf>;
  readonly desired: ParsedDocument;
  readonly deployed?: { readonly document: ParsedDocument; readonly version: DeployedVersion };
}

/**
 * The stored string of each key once the deploy's writes are done: the planned write, else the live
 * plain value. The reconcile asks for a delivery of each document its writes touch, and the delivery
 * composes from these, so a value set live for a key `config/` leaves unset stays in the document
 * (composing from `config/` alone would show it removed on every plan, a change no deploy makes).
 */
function valuesAfterWrites(
  registry: SchemaRegistry,
  environment: string,
  stored: readonly StoredParameter[],
  writes: readonly PlannedWrite[],
): RawValueLookup {
  // Documents hold String keys only; the delivery, too, reads no SecureString.
  const values = new Map(stored.filter((p) => p.type === 'String').map((p) => [p.name, p.value]));
  for (const write of writes) values.set(write.name, write.new.value);
  return (owner, key) => values.get(registry.parameterName(environment, owner, key));
}

/** Both profiles of every service: what the deploy leaves, and what AppConfig ships in the environment. */
async function readDocuments(
  sources: PlanSources,
  targets: Readonly<Record<string, ServiceProfiles>>,
  environment: string,
  afterWrites: RawValueLookup,
): Promise<ComparedDocument[]> {
  const compared: ComparedDocument[] = [];
  for (const service of sources.registry.serviceNames()) {
    const desired = desiredDocuments(sources.registry, service, environment, afterWrites);
    const target = targets[service];
    const environmentId = target?.environments[environment];
    for (const profile of ['document', 'flags'] as const) {
      const deployed =
        target && environmentId
          ? await sources.appConfig.deployed({
              applicationId: target.applicationId,
              environmentId,
              configurationProfileId:
                profile === 'document' ? target.documentProfileId : target.flagsProfileId,
            })
          : undefined;
      compared.push({
        service,
        profile,
        concealment: concealmentOf(sources.registry, service, profile),
        desired: parseDocument(desired[profile], profile),
        ...(deployed
          ? {
              deployed: {
                document: parseDocument(deployed.content, profile),
                version: {
                  deploymentNumber: deployed.deploymentNumber,
                  configurationVersion: deployed.configurationVersion,
                  ...(deployed.versionLabel ? { versionLabel: deployed.versionLabel } : {}),
                  state: deployed.state,
                  ...(deployed.startedAt ? { startedAt: deployed.startedAt } : {}),
                },
              },
            }
          : {}),
      });
    }
  }
  return compared;
}

function concealWrite(write: PlannedWrite, fingerprints: ReadonlyMap<string, string>): PlannedWrite {
  if (write.values !== 'conceal') return write;
  const fingerprint = (value: string) => fingerprints.get(value) as string;
  return {
    ...write,
    values: 'fingerprint',
    ...(write.old ? { old: { ...write.old, value: fingerprint(write.old.value) } } : {}),
    new: { ...write.new, value: fingerprint(write.new.value) },
  };
}

function deploymentOf(
  sources: PlanSources,
  options: PlanOptions,
  environment: string,
  service: string,
  profile: ProfileKind,
): PlannedDeployment {
  const settings = sources.environments.find((e) => e.name === environment);
  if (!settings) throw new ConfigurationError(`the settings declare no environment "${environment}"`);
  const strategy = settings.deploymentStrategy;
  return {
    service,
    profile,
    // As config-delivery.ts names the environment's strategy.
    strategy: `${options.namePrefix ?? ''}steward-${environment}`,
    deploymentDurationInMinutes: strategy.deploymentDurationInMinutes,
    finalBakeTimeInMinutes: strategy.finalBakeTimeInMinutes,
    growthType: strategy.growthType,
    growthFactor: strategy.growthFactor,
    minutes: strategy.deploymentDurationInMinutes + strategy.finalBakeTimeInMinutes,
  };
}
