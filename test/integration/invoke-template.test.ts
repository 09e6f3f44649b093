import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AppConfigClient,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { organisation } from '../../config/index.ts';
import { HANDLERS, invokeEnvironment } from '../../functions/cli/commands/invoke.ts';
import { main } from '../../functions/cli/main.ts';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';
import { eventFile, recordingIo } from '../support/command-io.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import { exampleTargets, fixture } from '../support/validate-change-harness.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface LambdaResource {
  Type: string;
  Properties: { Timeout: number; Environment: { Variables: Record<string, unknown> } };
}

/** The example organisation's stack, synthesized without bundling, as a template file in a temporary cdk.out/. */
function synthesizedTemplate() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ConfigStewardStack(app, 'ConfigSteward', {
    // Source maps opted in, so the template sets NODE_OPTIONS, which `steward invoke` must not apply.
    settings: { ...loadSettings('config/settings.json'), sourceMaps: true },
    organisation,
  });
  const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, LambdaResource> };
  const projectDir = mkdtempSync(path.join(tmpdir(), 'steward-invoke-template-'));
  mkdirSync(path.join(projectDir, 'cdk.out'));
  const file = path.join(projectDir, 'cdk.out', 'ConfigSteward.template.json');
  writeFileSync(file, JSON.stringify(json));
  return { json, file, projectDir };
}

function functionOf(json: { Resources: Record<string, LambdaResource> }, handler: string): LambdaResource {
  const found = Object.values(json.Resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      r.Properties.Environment.Variables['POWERTOOLS_SERVICE_NAME'] === `config-steward-${handler}`,
  );
  if (!found) throw new Error(`no function for ${handler} in the stack`);
  return found;
}

/** A delivery queue URL a local run (an emulator) would give. */
const LOCAL_QUEUE = 'http://localhost:4566/000000000000/local-delivery.fifo';

describe('Command: steward invoke, with the synthesized template', () => {
  let stack: ReturnType<typeof synthesizedTemplate>;

  beforeAll(() => {
    stack = synthesizedTemplate();
  });

  afterAll(() => {
    rmSync(stack.projectDir, { recursive: true, force: true });
  });

  it.each(Object.keys(HANDLERS))('gives %s the timeout the stack gives it, template or not', (handler) => {
    // Prepare
    const { Timeout } = functionOf(stack.json, handler).Properties;

    // Act
    const fromTemplate = invokeEnvironment(handler, { env: {}, templateFile: stack.file });
    const fromSettings = invokeEnvironment(handler, { env: {}, settingsFile: 'config/settings.json' });

    // Assess
    expect(fromTemplate.timeoutSeconds).toBe(Timeout);
    expect(fromSettings.timeoutSeconds).toBe(Timeout);
  });

  it('sets every variable the stack states, names those it computes from resources, and takes them from the caller', () => {
    // Prepare
    const stated = functionOf(stack.json, 'validate-change').Properties.Environment.Variables;
    const literal = Object.entries(stated).filter(([, value]) => typeof value === 'string');

    // Act
    const environment = invokeEnvironment('validate-change', {
      env: { STEWARD_DELIVERY_QUEUE_URL: LOCAL_QUEUE },
      templateFile: stack.file,
    });

    // Assess
    for (const [name, value] of literal) {
      if (name === 'NODE_OPTIONS') continue;
      expect(environment.variables[name], name).toBe(value);
    }
    expect(environment.variables['POWERTOOLS_LOG_LEVEL']).toBe('INFO');
    expect(environment.variables['STEWARD_DELIVERY_QUEUE_URL']).toBe(LOCAL_QUEUE);
    expect(environment.missing).toEqual(
      expect.arrayContaining([
        'STEWARD_VALIDATOR_PRINCIPAL',
        'STEWARD_FINGERPRINT_KEY',
        'STEWARD_RECONCILER_PRINCIPAL',
      ]),
    );
    expect(environment.missing).not.toContain('STEWARD_DELIVERY_QUEUE_URL');
    const notes = environment.notes.join('\n');
    expect(notes).toContain(`environment and timeout (120 s) of `);
    expect(notes).toContain('from your environment: STEWARD_DELIVERY_QUEUE_URL');
    expect(notes).toMatch(/^ {2}STEWARD_VALIDATOR_PRINCIPAL = Ref ChangeDelivery\w+$/m);
    expect(notes).toMatch(/^ {2}STEWARD_FINGERPRINT_KEY = GetAtt ValueFingerprints\w+\.Arn$/m);
    expect(notes).toContain('not applied (read by Node.js at start-up only): NODE_OPTIONS');
  });

  it('says so when it falls back to the settings', () => {
    // Act
    const environment = invokeEnvironment('drift-job', { env: {}, settingsFile: 'config/settings.json' });

    // Assess
    expect(environment.notes[0]).toMatch(
      /^--settings: environment derived from config\/settings\.json, timeout 900 s/,
    );
    expect(environment.variables['STEWARD_PARAMETER_ROOT']).toBe('config');
  });

  it('flag-expiry-job: finds cdk.out/ in the working directory and reads the ids under the path it names, exits 4 when Parameter Store is not there', () => {
    // Act
    const result = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'steward.mjs'),
        'invoke',
        'flag-expiry-job',
        '--event',
        eventFile(fixture('scheduler-nightly.json')),
      ],
      {
        cwd: stack.projectDir,
        encoding: 'utf8',
        env: {
          ...process.env,
          NODE_NO_WARNINGS: '1',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_MAX_ATTEMPTS: '1',
          STEWARD_APPCONFIG: '',
        },
        timeout: 30_000,
      },
    );

    // Assess: the template carries the path, not the ids; nothing is missing
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('environment and timeout (300 s) of FlagExpiry');
    expect(result.stderr).not.toContain('not known locally');
    expect(result.stdout).toContain(
      'GetParametersByPath on /config-steward/ConfigSteward/appconfig-targets failed',
    );
  });

  it('flag-expiry-job runs with the template environment and STEWARD_APPCONFIG from the caller', async () => {
    // Prepare: no flags deployed and no hosted flag versions yet
    const appConfig = mockClient(AppConfigClient);
    mockClient(EventBridgeClient);
    const cloudWatch = mockClient(CloudWatchClient);
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    appConfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [] });
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const { io, out, err } = recordingIo({ STEWARD_APPCONFIG: JSON.stringify(exampleTargets()) });

    // Act
    const code = await main(
      [
        'invoke',
        'flag-expiry-job',
        '--template',
        stack.file,
        '--event',
        eventFile(fixture('scheduler-nightly.json')),
      ],
      io,
    );

    // Assess
    expect(err.join('\n')).toContain('from your environment: STEWARD_APPCONFIG');
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ handler: 'flag-expiry-job', ok: true });
    expect(appConfig).toReceiveCommandWith(ListDeploymentsCommand, { ApplicationId: 'app-orders' });
    expect(appConfig).toReceiveCommandWith(ListHostedConfigurationVersionsCommand, {
      ApplicationId: 'app-orders',
      ConfigurationProfileId: 'flags-orders',
    });
    // The template's STEWARD_FLAG_USAGE_DAYS (30): telemetry is looked for over twice the window.
    const usageRead = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(usageRead!.EndTime!.getTime() - usageRead!.StartTime!.getTime()).toBe(60 * 86_400_000);
  });

  it('rejects --template with --settings, and a template file that does not exist, as usage errors', async () => {
    // Prepare
    const event = eventFile(fixture('scheduler-nightly.json'));
    const both = recordingIo();
    const missing = recordingIo();

    // Act
    const codes = [
      await main(
        [
          'invoke',
          'drift-job',
          '--event',
          event,
          '--template',
          stack.file,
          '--settings',
          'config/settings.json',
        ],
        both.io,
      ),
      await main(
        ['invoke', 'drift-job', '--event', event, '--template', '/no/such/template.json'],
        missing.io,
      ),
    ];

    // Assess
    expect(codes).toEqual([2, 2]);
    expect(both.err.join('\n')).toContain('--template and --settings are alternatives');
    expect(missing.err.join('\n')).toContain('template file not found: /no/such/template.json');
  });
});
