/**
 * The CDK app: the one entry of `cdk synth`, `cdk deploy` (cdk.json) and `npm run synth` (which runs
 * `cdk synth`). Checks the desired state, builds the stack, runs cdk-nag, and prints the summary on
 * stderr (under `cdk synth` stdout carries the template). A refusal prints what to fix, not a stack
 * trace (`cdk synth --debug` adds it), exits 1 and writes nothing to cdk.out.
 */
import * as path from 'node:path';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { SynthRefusedError, synthesizeStewardApp } from '../lib/steward-app.ts';

try {
  const summary = await synthesizeStewardApp({
    outdir: process.env.CDK_OUTDIR ?? path.join(PROJECT_ROOT, 'cdk.out'),
    // Another settings file can be tried without editing config/settings.json.
    settingsFile: process.env.STEWARD_SETTINGS_FILE,
    // The account and region of the CLI's AWS profile, when it has them.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  for (const line of summary) console.error(line);
} catch (error) {
  if (!(error instanceof SynthRefusedError)) throw error;
  console.error(`synth stopped: ${error.message}`);
  // The CLI sets CDK_DEBUG for `--debug`: then the trace of what was thrown helps find it.
  if (process.env.CDK_DEBUG === 'true' && error.cause instanceof Error) console.error(error.cause.stack);
  process.exitCode = 1;
}
