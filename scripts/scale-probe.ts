/**
 * Synthesizes the stack with the example organisation plus N generated services (4 keys, the example's
 * environments plus `development`, or only the example's with --two) and prints, for each N: the resources (CloudFormation allows 500),
 * the target parameters, and the largest function environment and parameter value with every
 * reference resolved to a 7-character id (what AppConfig ids are) and as the synth guard estimates it.
 *
 *   npx tsx scripts/scale-probe.ts 0,10,50,100 [--two]
 */
import { App } from 'aws-cdk-lib';
import { organisation } from '../config/index.ts';
import { loadSettings } from '../lib/settings.ts';
import { environmentBytes, resolvedBytes } from '../lib/resolved-size.ts';
import { ConfigStewardStack } from '../lib/steward-stack.ts';
import { largeOrganisation, withEnvironmentLike } from '../test/support/large-organisation.ts';

const base = loadSettings('config/settings.json');
// `--two`: the example's two environments; by default a third, `development`, like staging.
const two = process.argv.includes('--two');
const settings = two
  ? base
  : { ...base, environments: [...base.environments, { ...base.environments[0]!, name: 'development' }] };
const environments = settings.environments.map((e) => e.name);
const exampleServices = two
  ? organisation.services
  : withEnvironmentLike(organisation, 'development', 'staging').services;

/** Bytes of a resolved value with every reference taken as a 7-character id. */
function idBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Array.isArray(value)) return value.reduce((sum: number, part) => sum + idBytes(part), 0);
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return idBytes(join[1]) + join[0].length * Math.max(0, join[1].length - 1);
  return 7;
}

for (const n of (process.argv[2] ?? '0,10,50,100').split(',').map(Number)) {
  // CDK refuses a stack over CloudFormation's 500 resources at synth; lifted here to measure past it.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new ConfigStewardStack(app, 'ConfigSteward', {
    settings,
    organisation: {
      ...organisation,
      services: [...exampleServices, ...largeOrganisation(n, 4, environments).services],
    },
  });
  const template = app.synth().getStackByName('ConfigSteward').template as {
    Resources: Record<
      string,
      { Type: string; Properties: { Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  const resources = Object.values(template.Resources);
  const functions = resources
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const variables = r.Properties.Environment?.Variables ?? {};
      const ids = Object.entries(variables).reduce((sum, [k, v]) => sum + k.length + idBytes(v), 0);
      return {
        name: String(variables.POWERTOOLS_SERVICE_NAME),
        ids,
        estimate: environmentBytes(stack, variables),
      };
    })
    .sort((a, b) => b.ids - a.ids);
  const parameters = stack.appConfigTargets.parameters.map((p) => {
    const value = stack.resolve((p.node.defaultChild as unknown as { value: unknown }).value);
    return { ids: idBytes(value), estimate: resolvedBytes(stack, value) };
  });
  console.log(
    JSON.stringify({
      services: n,
      resources: resources.length,
      targetParameters: parameters.length,
      largestParameter: parameters.reduce((m, p) => (p.ids > m.ids ? p : m), { ids: 0, estimate: 0 }),
      largestEnvironments: functions.slice(0, 3),
    }),
  );
}
