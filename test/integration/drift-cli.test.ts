import { createHash, createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParametersByPathCommand,
  type GetParametersByPathCommandInput,
  GetParametersCommand,
  ListTagsForResourceCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import {
  AppConfigClient,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../functions/cli/io.ts';
import { main } from '../../functions/cli/main.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { organisation } from '../../config/index.ts';
import { encode } from '../support/appconfig-content.ts';

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);
const kms = mockClient(KMSClient);
const appConfig = mockClient(AppConfigClient);

function run(argv: string[], stderr?: CommandIo['stderr'], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env, stderr }).then((code) => ({
    code,
    out,
    err,
  }));
}

/** A stand-in for process.stderr that records what was written. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, isTTY, write: (text: string) => written.push(text) };
}

describe('Command: steward drift', () => {
  beforeEach(() => {
    ssm.reset();
    secretsManager.reset();
    kms.reset();
    kms.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
      Mac: createHmac('sha256', 'stack key').update(input.Message).digest(),
    }));
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    // Answers a path with what lies under it: the run reads one service path at a time.
    ssm.on(GetParametersByPathCommand).callsFake((input: GetParametersByPathCommandInput) => {
      if (input.ParameterFilters) return { Parameters: [] };
      const stored = [
        { Name: '/config/staging/orders/max-retries', Value: '8', Type: 'String', Version: 2 },
        { Name: '/config/staging/orders/legacy-token', Value: 'tok-4242-zz', Type: 'String', Version: 1 },
      ];
      return { Parameters: stored.filter(({ Name }) => Name.startsWith(`${input.Path}/`)) };
    });
    secretsManager
      .on(DescribeSecretCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'no' }));
  });

  it('prints findings for one environment and exits 1', async () => {
    // Act
    const { code, out } = await run(['drift', '--env', 'staging']);

    // Assess
    expect(code).toBe(1);
    expect(
      out.some((l) => l.startsWith('value-drift') && l.includes('/config/staging/orders/max-retries')),
    ).toBe(true);
    expect(out.some((l) => l.startsWith('unmanaged') && l.includes('legacy-token'))).toBe(true);
    expect(out.at(-1)).toMatch(/^steward drift: 2 parameters in staging, \d+ findings/);
    expect(ssm).not.toReceiveCommandWith(GetParametersByPathCommand, { Path: '/config/production' });
    expect(ssm).not.toReceiveCommandWith(GetParametersByPathCommand, { Path: '/config/production/orders' });
    expect(ssm).toReceiveCommandWith(GetParametersByPathCommand, { Path: '/config/staging/orders' });
  });

  it('prints the report as JSON with --json, fingerprinting what looks like a credential with the stack key', async () => {
    // Act
    const { out } = await run(['drift', '--env', 'staging', '--json']);

    // Assess
    const report = JSON.parse(out.join('\n'));
    expect(Object.keys(report)).toEqual([
      'runId',
      'environments',
      'parametersScanned',
      'findings',
      'findingsByKind',
      'tickets',
      'filed',
      'resolvedTickets',
      'deferred',
      'durationMs',
      'apiCalls',
    ]);
    const plaintext = report.findings.find((f: { kind: string }) => f.kind === 'plaintext-secret');
    expect(plaintext).toMatchObject({
      parameter: '/config/staging/orders/legacy-token',
      values: 'fingerprint',
      actual: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    });
    expect(out.join('\n')).not.toContain('tok-4242-zz');
    expect(out.join('\n')).not.toContain(createHash('sha256').update('tok-4242-zz').digest('hex'));
    // Without STEWARD_FINGERPRINT_KEY the CLI finds the stack's key by its alias.
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, {
      KeyId: 'alias/config-steward/value-fingerprints',
      MacAlgorithm: 'HMAC_SHA_256',
    });
  });

  it('reports a parameter under an active break-glass override as override, not value drift', async () => {
    // Prepare: staging max-retries (8, git says 3) carries an override applied an hour ago, for 4 h
    // (times from the wall clock the command reads: a record applied in the future holds nothing)
    const appliedAt = new Date(Date.now() - 3_600_000);
    const until = new Date(appliedAt.getTime() + 4 * 3_600_000);
    ssm
      .on(DescribeParametersCommand)
      .callsFake((input: DescribeParametersCommandInput) =>
        input.ParameterFilters?.some((f) => f.Key === 'tag:steward:override') &&
        input.ParameterFilters.some((f) => f.Key === 'Path' && f.Values?.[0] === '/config/staging/orders')
          ? { Parameters: [{ Name: '/config/staging/orders/max-retries' }] }
          : { Parameters: [] },
      );
    ssm.on(ListTagsForResourceCommand).resolves({
      TagList: [
        { Key: 'steward:override', Value: 'true' },
        { Key: 'steward:override-until', Value: until.toISOString() },
        { Key: 'steward:override-at', Value: appliedAt.toISOString() },
        { Key: 'steward:override-actor', Value: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice' },
        { Key: 'steward:override-reason', Value: 'INC-4711 brown-out' },
      ],
    });

    // Act
    const { code, out } = await run(['drift', '--env', 'staging', '--json']);

    // Assess
    expect(code).toBe(1);
    const findings = JSON.parse(out.join('\n')).findings as { kind: string; parameter: string }[];
    // (the fixture labels no version, so label-mismatch stays: an override does not hide it)
    const kinds = findings
      .filter((f) => f.parameter === '/config/staging/orders/max-retries')
      .map((f) => f.kind);
    expect(kinds).toContain('override');
    expect(kinds).not.toContain('value-drift');
  });

  it('uses STEWARD_FINGERPRINT_KEY when set, and shows a short fingerprint in the text report', async () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const { out } = await run(['drift', '--env', 'staging'], undefined, { STEWARD_FINGERPRINT_KEY: key });

    // Assess
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, { KeyId: key });
    const line = out.find((l) => l.startsWith('plaintext-secret'));
    expect(line).toMatch(/actual hmac-sha256:[0-9a-f]{12}…\)$/);
    expect(line).not.toContain('tok-4242-zz');
  });

  it('keeps progress on a terminal stderr and out of the --json output', async () => {
    // Prepare
    const terminal = stream(true);
    const piped = stream(false);

    // Act
    const onTerminal = await run(['drift', '--env', 'staging', '--json'], terminal);
    const whenPiped = await run(['drift', '--env', 'staging', '--json'], piped);

    // Assess
    expect(terminal.written.join('')).toMatch(/steward drift: \d+ parameters read, \d+ API calls/);
    expect(piped.written).toEqual([]);
    expect(JSON.parse(onTerminal.out.join('\n'))).toMatchObject({ environments: ['staging'] });
    expect(onTerminal.out.join('\n')).not.toContain('\x1b');
    expect(JSON.parse(whenPiped.out.join('\n')).findings).toEqual(
      JSON.parse(onTerminal.out.join('\n')).findings,
    );
  });

  it('exits 4, not 1, when part of the deployed state could not be read, and still prints the report', async () => {
    // Prepare: production is unreadable, as a whole and service by service
    ssm.on(GetParametersByPathCommand).callsFake((input: GetParametersByPathCommandInput) => {
      if (input.Path?.startsWith('/config/production')) {
        throw Object.assign(new Error('not authorized'), {
          name: 'AccessDeniedException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { Parameters: [] };
    });

    // Act
    const { code, out, err } = await run(['drift']);

    // Assess
    expect(code).toBe(4);
    expect(out.some((l) => l.startsWith('read-error') && l.includes('/config/production/'))).toBe(true);
    expect(err.join('\n')).toContain('part of the deployed state could not be read');
  });

  it('rejects an unknown environment with exit 2', async () => {
    // Act
    const { code, err } = await run(['drift', '--env', 'qa']);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('unknown environment "qa"');
  });
  it('with --flags compares the flags staging serves with config/, finding the applications by name', async () => {
    // Prepare: AppConfig holds orders only (payments is named on stderr); staging serves an edit
    appConfig.reset();
    appConfig.on(ListApplicationsCommand).resolves({ Items: [{ Name: 'orders', Id: 'app0001' }] });
    appConfig.on(ListConfigurationProfilesCommand).resolves({
      Items: [
        { Name: 'document', Id: 'doc0001' },
        { Name: 'flags', Id: 'flg0001' },
      ],
    });
    appConfig.on(ListEnvironmentsCommand).resolves({
      Items: [
        { Name: 'staging', Id: 'env0001' },
        { Name: 'production', Id: 'env0002' },
      ],
    });
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 3,
          ConfigurationProfileId: 'flg0001',
          ConfigurationName: 'flags',
          ConfigurationVersion: '2',
          State: 'COMPLETE',
        },
      ],
    });
    const served = serviceFlagsDocument(
      organisation.services.find((s) => s.name === 'orders'),
      'staging',
    );
    served.values['new-checkout'] = { ...served.values['new-checkout'], enabled: false };
    appConfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(served) });

    // Act
    const { code, out, err } = await run(['drift', '--env', 'staging', '--flags']);

    // Assess
    expect(code).toBe(1);
    expect(out.filter((l) => l.startsWith('flag-'))).toEqual([
      expect.stringMatching(
        /^flag-changed\s+flags\/staging\/orders\/new-checkout: .* differs from config\/ in enabled/,
      ),
    ]);
    expect(appConfig).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app0001',
      EnvironmentId: 'env0001',
    });
    expect(appConfig).not.toHaveReceivedCommandWith(ListDeploymentsCommand, { EnvironmentId: 'env0002' });
    expect(err.join('\n')).toContain('no AppConfig application "<service>" for payments');
  });

  it('leaves AppConfig alone without --flags', async () => {
    // Prepare
    appConfig.reset();

    // Act
    await run(['drift', '--env', 'staging']);

    // Assess
    expect(appConfig.calls()).toHaveLength(0);
  });
});
