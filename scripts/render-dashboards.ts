/**
 * Writes each environment's config-change dashboard body, as CloudWatch would receive it, to a JSON
 * file for review (tokens shown as `<LogicalId>`, account 123456789012, region eu-west-1). Synthesizes
 * the stack from config/ without bundling, so it takes seconds and needs no AWS account.
 *
 * @example
 * npx tsx scripts/render-dashboards.ts                 # cdk.out/dashboards/<dashboard name>.json
 * npx tsx scripts/render-dashboards.ts /tmp/dashboards
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { organisation } from '../config/index.ts';
import { loadSettings } from '../lib/settings.ts';
import { ConfigStewardStack } from '../lib/steward-stack.ts';
import { renderDashboardBody } from '../test/support/dashboard-body.ts';

const outDir = path.resolve(process.argv[2] ?? 'cdk.out/dashboards');
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new ConfigStewardStack(app, 'ConfigSteward', {
  settings: loadSettings('config/settings.json'),
  organisation,
});
const dashboards = Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard');

mkdirSync(outDir, { recursive: true });
for (const { Properties: properties } of Object.values(dashboards)) {
  const body = renderDashboardBody(properties.DashboardBody);
  const file = path.join(outDir, `${properties.DashboardName}.json`);
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`${file}: ${body.widgets.length} widgets`);
}
