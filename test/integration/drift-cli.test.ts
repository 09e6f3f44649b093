import { createHash, createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeParametersCommand,
  GetParametersByPathCommand,
  type GetParametersByPathCommandInput,
  GetParametersCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);
const kms = mockClient(KMSClient);

function run(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env }).then((code) => ({
    code,
    out,
    err,
  }));
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
    ssm.on(GetParametersByPathCommand).callsFake((input: GetParametersByPathCommandInput) => {
      if (input.ParameterFilters) return { Parameters: [] };
      if (input.Path === '/config/staging') {
        return {
          Parameters: [
            { Name: '/config/staging/orders/max-retries', Value: '8', Type: 'String', Version: 2 },
            { Name: '/config/staging/orders/legacy-token', Value: 'tok-4242-zz', Type: 'String', Version: 1 },
          ],
        };
      }
      return { Parameters: [] };
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
  });

  it('prints the report as JSON with --json, fingerprinting what looks like a credential with the stack key', async () => {
    // Act
    const { out } = await run(['drift', '--env', 'staging', '--json']);

    // Assess
    const report = JSON.parse(out.join('\n'));
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

  it('uses STEWARD_FINGERPRINT_KEY when set, and shows a short fingerprint in the text report', async () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const { out } = await run(['drift', '--env', 'staging'], { STEWARD_FINGERPRINT_KEY: key });

    // Assess
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, { KeyId: key });
    const line = out.find((l) => l.startsWith('plaintext-secret'));
    expect(line).toMatch(/actual hmac-sha256:[0-9a-f]{12}…\)$/);
    expect(line).not.toContain('tok-4242-zz');
  });

  it('rejects an unknown environment with exit 2', async () => {
    // Act
    const { code, err } = await run(['drift', '--env', 'qa']);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('unknown environment "qa"');
  });
});
