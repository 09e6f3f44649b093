/**
 * The one way the Config Steward app is built, for `cdk synth`/`cdk deploy` and `npm run synth`
 * alike (both run bin/app.ts): the settings, then `steward check` over the desired state, then the
 * stack with its bundles, then cdk-nag. The check comes before the stack because CDK bundles at
 * construct time and every Lambda bundle carries `config/`: a value the check refuses (a committed
 * SecureString value above all) must never reach a bundle.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, CfnResource, type Environment, type Stack } from 'aws-cdk-lib';
import { report as reportCheckFindings } from '../functions/cli/commands/check.ts';
import { scanSources, settingsSources } from '../functions/cli/source-scan.ts';
import { checkDesiredState } from '../functions/core/check.ts';
import { compareWithDeclaredFlags, declaredFlags } from '../functions/core/flags/code-references.ts';
import { utcDay } from '../functions/core/flags/policy.ts';
import { StewardError } from '../functions/core/errors.ts';
import type { Organisation } from '../functions/core/model.ts';
import type { FlagCodeReferences } from './constructs/nightly-jobs.ts';
import { PROJECT_ROOT } from './constructs/steward-function.ts';
import { formatNagFindings, nagFindings } from './nag.ts';
import { type PolicyTemplate, policySizeFindings } from './policy-size.ts';
import { loadSettings, type Settings } from './settings.ts';
import { withStagedOutdir } from './staged-outdir.ts';
import { ConfigStewardStack } from './steward-stack.ts';

/** The desired state every Lambda bundle imports (functions/runtime/runtime.ts); the stack reads the same. */
export const ORGANISATION_MODULE = path.join(PROJECT_ROOT, 'config', 'index.ts');
export const DEFAULT_SETTINGS_FILE = path.join(PROJECT_ROOT, 'config', 'settings.json');
export const STACK_ID = 'ConfigSteward';

export interface StewardAppOptions {
  /** The cloud assembly directory (`CDK_OUTDIR` under the CDK CLI). */
  readonly outdir: string;
  /** @default config/settings.json */
  readonly settingsFile?: string;
  /** @default environment-agnostic */
  readonly env?: Environment;
}

/**
 * Synth refused to build: the message says what is wrong and where, for the user to fix; the output
 * directory is as it was. `cause` holds the underlying error when one was thrown.
 */
export class SynthRefusedError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SynthRefusedError';
  }
}

/**
 * Builds and synthesizes the app into `outdir` and returns the summary to print.
 *
 * @throws SynthRefusedError for invalid settings, a finding of `steward check`, a stack the desired
 *   state cannot build, an unacknowledged cdk-nag finding, or a policy over IAM's size limits; nothing
 *   is written to `outdir` then
 * @example
 * const summary = await synthesizeStewardApp({ outdir: 'cdk.out' });
 * for (const line of summary) console.error(line);
 */
export async function synthesizeStewardApp(options: StewardAppOptions): Promise<string[]> {
  const settingsFile = options.settingsFile ?? DEFAULT_SETTINGS_FILE;
  const settings = await refuseOnError('the settings are invalid', () => loadSettings(settingsFile));
  const organisation = await loadOrganisation();
  await refuseOnCheckFindings(organisation, settings);
  const flagCodeReferences = await refuseOnError('the flag code references cannot be scanned', () =>
    scanFlagCodeReferences(organisation, settings),
  );

  const outdir = path.resolve(options.outdir);
  return withStagedOutdir(outdir, async (staging) => {
    // No autoSynth: under the CLI (CDK_OUTDIR set) an App synthesizes again on exit, even after a failure.
    const app = new App({ outdir: staging, autoSynth: false });
    const stack = await refuseOnError('the stack cannot be built from the desired state', () => {
      const built = new ConfigStewardStack(app, STACK_ID, {
        settings,
        organisation,
        flagCodeReferences,
        env: options.env,
        description: 'Config Steward: validated, event-driven configuration for microservices',
      });
      app.synth();
      return built;
    });
    const findings = nagFindings(app);
    if (findings.length > 0) {
      throw new SynthRefusedError(
        `cdk-nag: ${findings.length} unacknowledged finding(s); nothing was synthesized.\n${formatNagFindings(findings)}`,
      );
    }
    refuseOversizedPolicies(stack, app.synth().getStackByName(stack.stackName).template);
    return summarize(
      stack,
      settings,
      path.join(staging, stack.templateFile),
      path.join(outdir, stack.templateFile),
    );
  });
}

/**
 * IAM refuses a policy over its size limits only at `cdk deploy`, after CloudFormation has created half
 * the stack: refuse it here, naming each role or managed policy by its construct path and its size.
 *
 * @throws SynthRefusedError when a role's inline policies, a managed policy or a role's count of
 *   managed policies would exceed IAM's limits once tokens resolve (lib/policy-size.ts)
 */
export function refuseOversizedPolicies(stack: Stack, template: PolicyTemplate): void {
  const findings = policySizeFindings(template, constructPaths(stack));
  if (findings.length === 0) return;
  throw new SynthRefusedError(
    `IAM policy size: ${findings.length} role(s) or managed policies over IAM's limits once tokens resolve; ` +
      'nothing was synthesized. Name fewer resources in a grant, or split it into statements CDK can spread ' +
      'over overflow policies (lib/appconfig-access.ts does so for AppConfig, one ARN pair per application).\n' +
      findings.map((f) => `  ${f}`).join('\n'),
  );
}

/** Logical id → construct path of every CloudFormation resource of the stack, for messages. */
function constructPaths(stack: Stack): Map<string, string> {
  const paths = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (CfnResource.isCfnResource(node)) paths.set(stack.resolve(node.logicalId) as string, node.node.path);
  }
  return paths;
}

async function loadOrganisation(): Promise<Organisation> {
  const module = (await refuseOnError(
    `${ORGANISATION_MODULE}: cannot load the organisation`,
    () => import(pathToFileURL(ORGANISATION_MODULE).href),
  )) as { organisation?: Organisation };
  const organisation = module.organisation;
  if (!organisation || !Array.isArray(organisation.services)) {
    throw new SynthRefusedError(
      `${ORGANISATION_MODULE}: must export \`organisation\` with a \`services\` array; nothing was synthesized.`,
    );
  }
  return organisation;
}

/**
 * The digest of the flag keys the code reads, for the flag-expiry tickets: the job runs without the
 * source tree. Only the sources the settings name are scanned (the project root holds tests and
 * fixtures that read flags of their own); without them the tickets list no references.
 */
function scanFlagCodeReferences(
  organisation: Organisation,
  settings: Settings,
): FlagCodeReferences | undefined {
  const roots = settingsSources(settings, PROJECT_ROOT);
  if (roots === undefined) return undefined;
  const scan = scanSources(roots, { relativeTo: PROJECT_ROOT });
  const report = compareWithDeclaredFlags(scan.found, declaredFlags(organisation));
  return { report, sources: settings.flags.codeReferences?.sources ?? [] };
}

/** Every finding of `steward check` is an error: synth refuses with the very lines the command prints. */
async function refuseOnCheckFindings(organisation: Organisation, settings: Settings): Promise<void> {
  const findings = await refuseOnError('steward check could not check the desired state', () =>
    checkDesiredState(organisation, settings, { today: utcDay(new Date()) }),
  );
  if (findings.length === 0) return;
  const lines: string[] = [];
  const collect = (line: string) => lines.push(line);
  reportCheckFindings(findings, organisation.services.length, { out: collect, err: collect, env: {} });
  throw new SynthRefusedError(
    `steward check found problems in the desired state; nothing was synthesized.\n${lines.join('\n')}`,
  );
}

/**
 * Errors thrown while reading the user's settings and `config/` or building the stack from them are
 * the user's to fix: their message, not a stack trace (bin/app.ts prints the trace with CDK_DEBUG).
 */
async function refuseOnError<T>(reason: string, attempt: () => T | Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    throw refusal(reason, error);
  }
}

function refusal(reason: string, error: unknown): SynthRefusedError {
  if (error instanceof SynthRefusedError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SynthRefusedError(`${reason}; nothing was synthesized.\n${detail}`, { cause: error });
}

/** What would be deployed: resources by type, environments, services and desired parameters. */
function summarize(
  stack: ConfigStewardStack,
  settings: Settings,
  templateFile: string,
  publishedAs: string,
): string[] {
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as {
    Resources: Record<string, { Type: string }>;
  };
  const byType = new Map<string, number>();
  for (const resource of Object.values(template.Resources)) {
    byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
  }
  const total = Object.keys(template.Resources).length;
  return [
    `Synthesized ${path.relative(process.cwd(), publishedAs)}: ${total} resources (CloudFormation allows 500)`,
    ...[...byType.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([type, count]) => `  ${String(count).padStart(4)}  ${type}`),
    `Environments: ${settings.environments.map((e) => `${e.name} (${e.enforcement})`).join(', ')}; ` +
      `services: ${stack.registry.serviceNames().join(', ')}; ` +
      `desired plain parameters reconciled on deploy: ${stack.desiredParameters.parameterCount}`,
    'steward check: no findings; cdk-nag AwsSolutions + Serverless + Steward wildcard grants: 0 unacknowledged findings; ' +
      "IAM policies within IAM's size limits, tokens resolved at their longest",
  ];
}
