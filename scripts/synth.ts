/**
 * `npm run synth`: the main job, offline. Bundles every function with the local esbuild, synthesizes
 * `cdk.out/`, runs cdk-nag's AwsSolutions and Serverless packs, and prints what would be deployed.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { organisation } from '../config/index.ts';
import { ConfigurationError } from '../functions/core/errors.ts';
import { validateSecretRotation } from '../lib/constructs/secret-rotation.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { formatNagFindings, nagFindings } from '../lib/nag.ts';
import { loadSettings } from '../lib/settings.ts';
import { ConfigStewardStack } from '../lib/steward-stack.ts';

const outdir = process.env.CDK_OUTDIR ?? path.join(PROJECT_ROOT, 'cdk.out');
/** The settings file; another one can be tried with STEWARD_SETTINGS_FILE. */
const settingsFile = process.env.STEWARD_SETTINGS_FILE ?? path.join(PROJECT_ROOT, 'config', 'settings.json');
const settings = (() => {
  try {
    return loadSettings(settingsFile);
  } catch (error) {
    // A broken settings file is the user's to fix: its file, field and problem, not a stack trace.
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`synth stopped: the settings are invalid; nothing was synthesized.\n${error.message}`);
    process.exit(1);
  }
})();
const { app, stack } = (() => {
  try {
    // Before the App exists (it creates the output directory): config/ that cannot deploy writes nothing.
    validateSecretRotation(settings, organisation);
    const app = new App({ outdir });
    const stack = new ConfigStewardStack(app, 'ConfigSteward', {
      settings,
      organisation,
      description: 'Config Steward: validated, event-driven configuration for microservices',
    });
    return { app, stack };
  } catch (error) {
    // A desired state the stack cannot be built from (a PostgreSQL secret without its database or a vpc) is the user's to fix too.
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(
      `synth stopped: config/ cannot be deployed as it is; nothing was synthesized.\n${error.message}`,
    );
    process.exit(1);
  }
})();
app.synth();

const findings = nagFindings(app);
if (findings.length > 0) {
  console.error(`cdk-nag: ${findings.length} unacknowledged finding(s):\n${formatNagFindings(findings)}`);
  process.exit(1);
}

const templateFile = path.join(outdir, `${stack.stackName}.template.json`);
const template = JSON.parse(readFileSync(templateFile, 'utf8')) as {
  Resources: Record<string, { Type: string }>;
};
const byType = new Map<string, number>();
for (const resource of Object.values(template.Resources))
  byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
const total = Object.keys(template.Resources).length;

console.log(
  `Synthesized ${path.relative(PROJECT_ROOT, templateFile)}: ${total} resources (CloudFormation allows 500)`,
);
for (const [type, count] of [...byType.entries()].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${String(count).padStart(4)}  ${type}`);
}
console.log(
  `Environments: ${settings.environments.map((e) => `${e.name} (${e.enforcement})`).join(', ')}; ` +
    `services: ${stack.registry.serviceNames().join(', ')}; ` +
    `desired plain parameters reconciled on deploy: ${stack.desiredParameters.parameterCount}`,
);
console.log('cdk-nag AwsSolutions + Serverless: 0 unacknowledged findings');
