/** The CDK app: loads the settings and the desired state, builds the stack, attaches cdk-nag. */
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { organisation } from '../config/index.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
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
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
