/** The CDK app: loads the settings and the desired state, builds the stack, attaches cdk-nag. */
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { organisation } from '../config/index.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { nagPacks } from '../lib/nag.ts';
import { loadSettings } from '../lib/settings.ts';
import { ConfigStewardStack } from '../lib/steward-stack.ts';

const app = new App({ outdir: process.env.CDK_OUTDIR ?? path.join(PROJECT_ROOT, 'cdk.out') });
const settings = loadSettings(path.join(PROJECT_ROOT, 'config', 'settings.json'));
new ConfigStewardStack(app, 'ConfigSteward', {
  settings,
  organisation,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Config Steward: validated, event-driven configuration for microservices',
});
// AwsSolutions, Serverless and Steward's exact wildcard check (lib/nag.ts), as npm run synth runs them.
Validations.of(app).addPlugins(...nagPacks(app));
app.synth();
