/**
 * Flag drift: the flags each environment SERVES (the hosted version of the last complete or baking
 * deployment of the service's flags profile, not the newest hosted version) against the flags profile built
 * from `config/` by the builder the stack deploys with. A flag whose value, variants, rules,
 * attributes or definition differ is `flag-changed`; one served but not in `config/` is
 * `flag-added`; one in `config/` but not served is `flag-removed`; a profile never deployed to an
 * environment while `config/` declares flags is `flags-not-deployed`. Subjects are
 * `flags/<environment>/<service>/<flag>`, so tickets deduplicate and resolve like every drift finding.
 *
 * Flags are not secrets, but a string flag may hold anything: a value shown in a finding is checked
 * by the credential detector first and travels as a fingerprint when it looks like one.
 */
import type { DeployedFlags, DeployedFlagSource, FlagDeploymentNote } from '../../ports/flag-source.ts';
import type { AppConfigTargets } from '../appconfig-targets.ts';
import { looksLikeCredential } from '../credentials.ts';
import { type AppConfigFlagsDocument, lenientFlagsDocumentSchema } from '../flags/flag-document-schema.ts';
import { serviceFlagsDocument } from '../flags/profile-document.ts';
import type { SchemaRegistry } from '../registry.ts';
import type { DetectedFinding } from './findings.ts';
import { type DriftSnapshot, describeError, type ReadFailure } from './read.ts';

/** The AppConfig ids a flags unit needs of one service: what `STEWARD_APPCONFIG` or a look-up by name gives. */
export type FlagDriftTarget = Pick<AppConfigTargets[string], 'applicationId' | 'flagsProfileId'> & {
  readonly environments: Readonly<Record<string, { readonly environmentId: string }>>;
};

/** Where a drift run reads the served flags, and the AppConfig ids of every service's environments. */
export interface FlagDriftSources {
  readonly source: DeployedFlagSource;
  readonly targets: Readonly<Record<string, FlagDriftTarget>>;
}

/** The subject of a flag finding; without a flag, the prefix of every flag of that profile and environment. */
export function flagSubject(environment: string, service: string, flag = ''): string {
  return `flags/${environment}/${service}/${flag}`;
}

/**
 * Read and compare one service's flags in every environment: the findings, and a snapshot whose
 * `checkedPaths` and `failures` let ticket reconciliation resolve only what was compared.
 *
 * @example
 * const { snapshot, findings } = await checkServiceFlags({ source, targets }, registry, 'orders', ['staging', 'production']);
 */
export async function checkServiceFlags(
  sources: FlagDriftSources,
  registry: SchemaRegistry,
  service: string,
  environments: readonly string[],
): Promise<{ snapshot: DriftSnapshot; findings: DetectedFinding[] }> {
  const failures: ReadFailure[] = [];
  const checkedPaths: string[] = [];
  const findings: DetectedFinding[] = [];
  const target = sources.targets[service];
  for (const environment of environments) {
    const path = flagSubject(environment, service);
    const fail = (error: string) => failures.push({ path, environment, service, error });
    const environmentId = target?.environments[environment]?.environmentId;
    if (target === undefined || environmentId === undefined) {
      fail(`no AppConfig environment ${environment} for ${service} in the stack's targets`);
      continue;
    }
    let desired: AppConfigFlagsDocument;
    let deployed: DeployedFlags;
    try {
      desired = serviceFlagsDocument(registry.service(service), environment);
      deployed = await sources.source.deployed(
        { service, applicationId: target.applicationId, flagsProfileId: target.flagsProfileId },
        { name: environment, environmentId },
      );
    } catch (error) {
      fail(describeError(error));
      continue;
    }
    const compared = compareServedFlags({ service, environment, desired, deployed });
    if ('unreadable' in compared) {
      fail(compared.unreadable);
      continue;
    }
    checkedPaths.push(path);
    findings.push(...compared.findings);
  }
  for (const failure of failures) {
    findings.unshift({
      kind: 'read-error',
      parameter: failure.path,
      environment: failure.environment,
      service,
      detail: `the served flags could not be compared with config/: ${failure.error}`,
    });
  }
  return { snapshot: { environments: [], parameters: [], failures, checkedPaths }, findings };
}

export interface ServedFlagsComparison {
  readonly service: string;
  readonly environment: string;
  /** The flags profile document built from `config/` for this environment. */
  readonly desired: AppConfigFlagsDocument;
  readonly deployed: DeployedFlags;
}

/**
 * Compare what one environment serves with `config/`; `unreadable` when the served version is not
 * a feature-flags document (nothing can be said about its flags).
 *
 * @example
 * const result = compareServedFlags({ service: 'orders', environment: 'production', desired, deployed });
 * if ('findings' in result) console.log(result.findings.map((f) => f.kind));
 */
export function compareServedFlags(
  comparison: ServedFlagsComparison,
): { findings: DetectedFinding[] } | { unreadable: string } {
  const { service, environment, desired, deployed } = comparison;
  const pending = pendingNote(deployed.skipped);
  if (deployed.status === 'never-deployed') {
    const declared = Object.keys(desired.flags).length;
    if (declared === 0) return { findings: [] };
    return {
      findings: [
        {
          kind: 'flags-not-deployed',
          parameter: flagSubject(environment, service),
          environment,
          service,
          detail:
            `No deployment of the flags profile of ${service} to ${environment} has completed, while ` +
            `config/ declares ${declared} flag${declared === 1 ? '' : 's'}.${pending}`,
        },
      ],
    };
  }
  const parsed = lenientFlagsDocumentSchema().safeParse(deployed.document);
  if (!parsed.success) {
    return {
      unreadable: `hosted version ${deployed.version} (deployment ${deployed.deploymentNumber}) is not a feature-flags document`,
    };
  }
  const served = parsed.data as unknown as FlagsDocumentView;
  const wanted = desired as unknown as FlagsDocumentView;
  const where = `${environment} (hosted version ${deployed.version}, deployment ${deployed.deploymentNumber})`;
  const findings: DetectedFinding[] = [];
  const keys = [...new Set([...flagKeys(wanted), ...flagKeys(served)])].sort();
  for (const flag of keys) {
    const base = { parameter: flagSubject(environment, service, flag), environment, service, key: flag };
    const expected = aspectsOf(wanted, flag);
    const actual = aspectsOf(served, flag);
    if (actual === undefined) {
      findings.push({
        ...base,
        kind: 'flag-removed',
        ...shown(flag, servedValue(expected), undefined),
        detail:
          `Flag \`${flag}\` is in config/ but not served in ${where}: removed outside git, or added to ` +
          `config/ and not yet deployed.${pending}`,
      });
    } else if (expected === undefined) {
      findings.push({
        ...base,
        kind: 'flag-added',
        ...shown(flag, undefined, servedValue(actual)),
        detail: `Flag \`${flag}\` is served in ${where} but not declared in config/: added outside git.${pending}`,
      });
    } else {
      const changed = changedAspects(expected, actual);
      if (changed.length === 0) continue;
      findings.push({
        ...base,
        kind: 'flag-changed',
        ...shown(flag, pick(expected, changed), pick(actual, changed)),
        detail:
          `Flag \`${flag}\` served in ${where} differs from config/ in ${changed.join(', ')}: changed ` +
          `outside git (the AppConfig console, say), or config/ changed and not yet deployed.${pending}`,
      });
    }
  }
  return { findings };
}

/** The document as compared: loose records, whichever side it came from. */
interface FlagsDocumentView {
  readonly flags: Record<string, Record<string, unknown> | undefined>;
  readonly values: Record<string, Record<string, unknown> | undefined>;
}

/** Fields the AppConfig console stamps on flags it edits: when, not what. */
const CONSOLE_STAMPS = new Set(['_createdAt', '_updatedAt']);
/** Attributes Steward writes into every variant alike (`appconfig-format.ts`); read from the default. */
const SHARED_VARIANT_ATTRIBUTES = new Set([
  'owner',
  'type',
  'created',
  'expires',
  'valueKind',
  'defaultValue',
  'valueEncoding',
  'variants',
]);
/** Aspects that describe what a flag serves, shown for added and removed flags. */
const SERVED_ASPECTS = new Set(['enabled', 'value', 'rolloutPercent', 'allow', 'groups', 'variants']);

function flagKeys(document: FlagsDocumentView): string[] {
  return [...Object.keys(document.flags), ...Object.keys(document.values)];
}

/**
 * One flag as named aspects, each compared as a whole: the definition's description, attribute
 * definitions and other fields, then the value's `enabled` and attributes; a multi-variant value
 * contributes `variants` (each variant's name, enabled, rule and own attributes, in order) and the
 * attributes every variant carries alike, read from the default (last) variant.
 */
function aspectsOf(document: FlagsDocumentView, flag: string): Map<string, unknown> | undefined {
  const definition = document.flags[flag];
  const value = document.values[flag];
  if (definition === undefined && value === undefined) return undefined;
  const aspects = new Map<string, unknown>();
  for (const [field, content] of Object.entries(definition ?? {})) {
    if (field === 'name' || CONSOLE_STAMPS.has(field)) continue;
    aspects.set(field === 'attributes' ? 'attribute definitions' : field, content);
  }
  const variants = value?.['_variants'];
  if (Array.isArray(variants)) {
    const listed = variants as Record<string, unknown>[];
    const shared = (listed.at(-1)?.['attributeValues'] ?? {}) as Record<string, unknown>;
    for (const [attribute, content] of Object.entries(shared)) {
      if (SHARED_VARIANT_ATTRIBUTES.has(attribute)) aspects.set(attribute, content);
    }
    aspects.set(
      'variants',
      listed.map((variant) => {
        const own = Object.entries((variant['attributeValues'] ?? {}) as Record<string, unknown>).filter(
          ([attribute]) => !SHARED_VARIANT_ATTRIBUTES.has(attribute),
        );
        const fields = Object.entries(variant).filter(
          ([field]) => field !== 'attributeValues' && !CONSOLE_STAMPS.has(field),
        );
        return Object.fromEntries([...fields, ...own]);
      }),
    );
  } else {
    for (const [attribute, content] of Object.entries(value ?? {})) {
      if (!CONSOLE_STAMPS.has(attribute)) aspects.set(attribute, content);
    }
  }
  return aspects;
}

function changedAspects(expected: Map<string, unknown>, actual: Map<string, unknown>): string[] {
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return names.filter((name) => canonical(expected.get(name)) !== canonical(actual.get(name)));
}

function pick(aspects: Map<string, unknown>, names: readonly string[]): Record<string, unknown> {
  // An aspect one side lacks is shown as null, so the two sides list the same names.
  return Object.fromEntries(names.map((name) => [name, aspects.get(name) ?? null]));
}

function servedValue(aspects: Map<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (aspects === undefined) return undefined;
  return Object.fromEntries([...aspects].filter(([name]) => SERVED_ASPECTS.has(name)));
}

/** A ticket shows at most this much of each side; the detail names every changed aspect anyway. */
const SHOWN_LIMIT = 1_000;

/** Expected and actual as compact JSON, to be fingerprinted when either looks like a credential. */
function shown(
  flag: string,
  expected: Record<string, unknown> | undefined,
  actual: Record<string, unknown> | undefined,
): Pick<DetectedFinding, 'expected' | 'actual' | 'values'> {
  const text = (side: Record<string, unknown> | undefined) => {
    if (side === undefined) return undefined;
    const json = canonical(side);
    return json.length > SHOWN_LIMIT ? `${json.slice(0, SHOWN_LIMIT)}…` : json;
  };
  const expectedText = text(expected);
  const actualText = text(actual);
  const credential = [expectedText, actualText].some(
    (side) => side !== undefined && looksLikeCredential(flag, side).matched,
  );
  return {
    ...(expectedText !== undefined ? { expected: expectedText } : {}),
    ...(actualText !== undefined ? { actual: actualText } : {}),
    values: credential ? 'conceal' : 'plain',
  };
}

/** JSON with object keys sorted, so two documents that differ only in key order compare equal. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, content: unknown) =>
      content !== null && typeof content === 'object' && !Array.isArray(content)
        ? Object.fromEntries(Object.entries(content).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : content,
    ) ?? 'undefined'
  );
}

/** What the detail says about newer deployments the comparison passed over. */
function pendingNote(skipped: readonly FlagDeploymentNote[]): string {
  if (skipped.length === 0) return '';
  const described = skipped.map((note) => {
    const running = ['DEPLOYING', 'VALIDATING', 'ROLLING_BACK'].includes(note.state);
    return `deployment ${note.deploymentNumber} (version ${note.version}) ${running ? 'is' : 'was'} ${note.state}`;
  });
  return ` Newer deployments not compared, as the environment does not serve them: ${described.join('; ')}.`;
}
