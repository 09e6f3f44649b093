import { createHmac } from 'node:crypto';
import {
  AppConfigClient,
  GetHostedConfigurationVersionCommand,
  type GetHostedConfigurationVersionCommandOutput,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
} from '@aws-sdk/client-appconfig';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeParametersCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  type Parameter,
  type ParameterMetadata,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { DEPLOYED_CONFIGURATION_CLIENT_CONFIG } from '../../functions/adapters/appconfig-deployed-configuration.ts';
import { BULK_READ_CLIENT_CONFIG } from '../../functions/adapters/ssm-parameter-store.ts';
import { main } from '../../functions/cli/main.ts';
import { desiredDocuments } from '../../functions/core/plan/document-plan.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { recordingIo } from '../support/command-io.ts';

const ssm = mockClient(SSMClient);
const appconfig = mockClient(AppConfigClient);
const kms = mockClient(KMSClient);

const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});
const SECRET = 'sk_live_plan-test-DO-NOT-PRINT';
const RECONCILER =
  'arn:aws:sts::123456789012:assumed-role/ConfigSteward-DesiredParametersReconcilerRoleA1-B2/fn';
const ALICE = 'arn:aws:iam::123456789012:user/alice';
const SERVICES = ['orders', 'payments'];
/** What the stack writes into STEWARD_APPCONFIG: ids per service and environment. */
const TARGETS = Object.fromEntries(
  SERVICES.map((service) => [
    service,
    {
      applicationId: `app-${service}`,
      documentProfileId: `doc-${service}`,
      flagsProfileId: `flags-${service}`,
      environments: {
        staging: { environmentId: `env-${service}-staging`, deploymentStrategyId: 'strategy-staging' },
        production: {
          environmentId: `env-${service}-production`,
          deploymentStrategyId: 'strategy-production',
        },
      },
    },
  ]),
);
const ENV = { STEWARD_APPCONFIG: JSON.stringify(TARGETS) };

interface Live {
  readonly parameters: (Parameter & ParameterMetadata)[];
  /** Deployed content by `<application>/<environment>/<profile>`. */
  readonly documents: Map<string, string>;
}

/** Live state equal to config/: every plain desired value written by the stack, every document deployed. */
function inSync(): Live {
  const parameters: (Parameter & ParameterMetadata)[] = registry
    .desiredParameters()
    .filter((p) => p.parameterType === 'String')
    .map((p) => ({
      Name: p.name,
      Value: p.value,
      Type: 'String',
      Version: 1,
      LastModifiedUser: RECONCILER,
      LastModifiedDate: new Date('2026-11-20T10:00:00Z'),
    }));
  const documents = new Map<string, string>();
  for (const service of SERVICES) {
    for (const environment of ['staging', 'production']) {
      const desired = desiredDocuments(registry, service, environment);
      documents.set(`app-${service}/env-${service}-${environment}/doc-${service}`, desired.document);
      documents.set(`app-${service}/env-${service}-${environment}/flags-${service}`, desired.flags);
    }
  }
  return { parameters, documents };
}

/** SSM, AppConfig and KMS answering from `live`. */
function serve(live: Live) {
  const under = (path: string) => live.parameters.filter((p) => p.Name?.startsWith(path));
  ssm.on(GetParametersByPathCommand).callsFake((input: { Path: string; WithDecryption?: boolean }) => ({
    Parameters: under(input.Path).map(({ Name, Type, Version, LastModifiedDate, Value }) => ({
      Name,
      Type,
      Version,
      LastModifiedDate,
      Value: Type === 'SecureString' && !input.WithDecryption ? 'AQICAHencrypted' : Value,
    })),
  }));
  ssm
    .on(DescribeParametersCommand)
    .callsFake((input: { ParameterFilters: { Key: string; Values: string[] }[] }) =>
      // No break-glass override is recorded (the scan for them filters on their tag).
      input.ParameterFilters.some((f) => f.Key.startsWith('tag:'))
        ? { Parameters: [] }
        : {
            Parameters: under(input.ParameterFilters[0]?.Values[0] ?? '').map(
              ({ Value: _, ...metadata }) => metadata,
            ),
          },
    );
  ssm.on(GetParametersCommand).callsFake((input: { Names: string[] }) => ({
    Parameters: live.parameters.filter((p) => input.Names.includes(p.Name ?? '')),
  }));
  const versions = [...live.documents.entries()];
  appconfig
    .on(ListDeploymentsCommand)
    .callsFake((input: { ApplicationId: string; EnvironmentId: string }) => ({
      Items: versions
        .map(([key], index) => ({ key, index }))
        .filter(({ key }) => key.startsWith(`${input.ApplicationId}/${input.EnvironmentId}/`))
        .map(({ key, index }) => ({
          DeploymentNumber: index + 1,
          ConfigurationProfileId: key.split('/')[2],
          ConfigurationVersion: String(index + 1),
          State: 'COMPLETE',
        })),
    }));
  appconfig.on(GetHostedConfigurationVersionCommand).callsFake((input: { VersionNumber: number }) => ({
    Content: new TextEncoder().encode(
      versions[input.VersionNumber - 1]?.[1] ?? '',
    ) as unknown as GetHostedConfigurationVersionCommandOutput['Content'],
  }));
  kms.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
    Mac: createHmac('sha256', 'stack key').update(input.Message).digest(),
  }));
}

/** Staging's max-retries edited in the console to 2 after the last deploy; its document deployed with it. */
function consoleEdited(): Live {
  const live = inSync();
  const name = '/config/staging/orders/max-retries';
  const parameter = live.parameters.find((p) => p.Name === name);
  Object.assign(parameter ?? {}, {
    Value: '2',
    Version: 2,
    LastModifiedUser: ALICE,
    LastModifiedDate: new Date('2026-11-21T09:30:00Z'),
  });
  const key = 'app-orders/env-orders-staging/doc-orders';
  live.documents.set(
    key,
    JSON.stringify({ ...JSON.parse(live.documents.get(key) ?? '{}'), 'max-retries': 2 }),
  );
  return live;
}

/** Alice has replaced a plain parameter with a SecureString holding SECRET. */
function sealInConsole(live: Live, name: string): void {
  const parameter = live.parameters.find((p) => p.Name === name);
  Object.assign(parameter ?? {}, { Type: 'SecureString', Value: SECRET, LastModifiedUser: ALICE });
}

async function plan(argv: string[], env: Record<string, string> = ENV) {
  const { io, out, err } = recordingIo(env);
  const code = await main(['plan', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('Command: steward plan', () => {
  beforeEach(() => {
    ssm.reset();
    appconfig.reset();
    kms.reset();
  });

  it('exits 0 and says so when live state matches config/', async () => {
    // Prepare
    serve(inSync());

    // Act
    const { code, out } = await plan([]);

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('steward plan: no changes in staging, production');
    expect(ssm).not.toReceiveCommand(PutParameterCommand);
  });

  it('exits 2 and prints old → new, the console edit it undoes, the document diff and the deployment', async () => {
    // Prepare
    serve(consoleEdited());

    // Act
    const { code, out } = await plan(['--env', 'staging']);

    // Assess
    expect(code).toBe(2);
    expect(out).toContain('~ /config/staging/orders/max-retries: "2" → "3"');
    expect(out).toContain(`live version 2, written by ${ALICE} at 2026-11-21T09:30:00.000Z`);
    expect(out).toContain('! overwrites a console edit made since the last deploy');
    expect(out).toContain('orders document changes: +1 -1 lines against deployed version');
    expect(out).toMatch(/^ {4}- {2}"max-retries": 2,$/m);
    expect(out).toMatch(/^ {4}\+ {2}"max-retries": 3,$/m);
    expect(out).toContain(
      'deployment: orders document with steward-staging (LINEAR 100%, 0 min + 0 min bake)',
    );
    expect(out).toContain('steward plan: 2 changes in staging');
    expect(ssm).toReceiveCommandWith(DescribeParametersCommand, {
      ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/config/staging'] }],
    });
  });

  it('--json prints the documented shape with the config/ line of each write', async () => {
    // Prepare
    serve(consoleEdited());

    // Act
    const { code, out } = await plan(['--env', 'staging', '--json']);

    // Assess
    expect(code).toBe(2);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ planFormat: 1, changes: 2 });
    const [staging] = json.environments;
    expect(staging.lastDeploy).toEqual({ at: '2026-11-20T10:00:00.000Z', by: RECONCILER });
    expect(staging.parameters).toEqual([
      {
        action: 'update',
        name: '/config/staging/orders/max-retries',
        service: 'orders',
        key: 'max-retries',
        values: 'plain',
        old: {
          value: '2',
          type: 'String',
          version: 2,
          lastModifiedUser: ALICE,
          lastModifiedDate: '2026-11-21T09:30:00.000Z',
        },
        new: { value: '3', type: 'String' },
        overwritesConsoleEdit: true,
        source: { file: 'config/services/orders.ts', line: 48 },
      },
    ]);
    expect(staging.documents).toEqual([
      expect.objectContaining({
        service: 'orders',
        profile: 'document',
        action: 'update',
        added: 1,
        removed: 1,
      }),
    ]);
    expect(staging.deployments).toEqual([
      expect.objectContaining({ strategy: 'steward-staging', minutes: 0 }),
    ]);
    expect(Object.keys(staging)).toEqual([
      'environment',
      'lastDeploy',
      'parameters',
      'leftInPlace',
      'unchangedParameters',
      'documents',
      'unchangedDocuments',
      'deployments',
      'rolloutMinutes',
    ]);
  });

  it('--format github annotates the config/ line: a warning for an undone console edit, a notice per document', async () => {
    // Prepare
    serve(consoleEdited());

    // Act
    const { code, out } = await plan(['--env', 'staging', '--format', 'github']);

    // Assess
    expect(code).toBe(2);
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      '::warning file=config/services/orders.ts,line=48,title=steward plan%3A staging::update ' +
        '/config/staging/orders/max-retries: "2" → "3"; overwrites a console edit ' +
        `(written by ${ALICE} at 2026-11-21T09:30:00.000Z) made since the last deploy`,
    );
    expect(lines[1]).toMatch(
      /^::notice file=config\/services\/orders\.ts,line=\d+,title=steward plan%3A staging::orders document changes: .*%0Astarts a deployment with steward-staging.*%0A--- deployed version \d+%0A.*%0A- {2}"max-retries": 2,%0A\+ {2}"max-retries": 3,/,
    );
    expect(lines.at(-1)).toBe('steward plan: 2 changes in staging');
    expect(lines).toHaveLength(3);
  });

  it('never prints a live SecureString a plain value replaces, in any format', async () => {
    // Prepare
    const live = inSync();
    sealInConsole(live, '/config/production/orders/max-retries');
    serve(live);

    // Act
    const outputs = [
      await plan(['--env', 'production']),
      await plan(['--env', 'production', '--json']),
      await plan(['--env', 'production', '--format', 'github']),
    ];

    // Assess
    for (const { code, out, err } of outputs) {
      expect(code).toBe(2);
      expect(out + err).not.toContain(SECRET);
    }
    const write = JSON.parse(outputs[1]?.out ?? '{}').environments[0].parameters[0];
    expect(write).toMatchObject({
      values: 'fingerprint',
      old: { type: 'SecureString' },
      new: { type: 'String' },
    });
    expect(write.old.value).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(ssm).toReceiveCommandWith(GetParametersCommand, {
      Names: ['/config/production/orders/max-retries'],
      WithDecryption: true,
    });
    expect(kms).toReceiveCommandWith(GenerateMacCommand, {
      KeyId: 'alias/config-steward/value-fingerprints',
      MacAlgorithm: 'HMAC_SHA_256',
    });
  });

  it('sends only read commands, in every format: any other command fails the run', async () => {
    // Prepare: a command no handler below answers (PutParameter, CreateDeployment, ...) is refused.
    const refused = new Error('steward plan sent a command that is not a read');
    ssm.onAnyCommand().rejects(refused);
    appconfig.onAnyCommand().rejects(refused);
    kms.onAnyCommand().rejects(refused);
    const live = consoleEdited();
    sealInConsole(live, '/config/production/orders/max-retries');
    serve(live);

    // Act
    const outputs = [await plan([]), await plan(['--json']), await plan(['--format', 'github'])];

    // Assess
    for (const { code, err } of outputs) {
      expect(err).toBe('');
      expect(code).toBe(2);
    }
    const sent = [ssm, appconfig, kms].flatMap((client) =>
      client.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name),
    );
    expect(new Set(sent)).toEqual(
      new Set([
        'GetParametersByPathCommand',
        'DescribeParametersCommand',
        'GetParametersCommand',
        'ListDeploymentsCommand',
        'GetHostedConfigurationVersionCommand',
        'GenerateMacCommand',
      ]),
    );
  });

  it('reads Parameter Store as the drift job does: adaptive retry, so a throttled page slows the scan down', async () => {
    // Prepare
    serve(inSync());

    // Act
    await plan(['--env', 'staging']);

    // Assess: the client that sent the first page, as `steward drift` configures it.
    const config = (ssm.call(0).thisValue as SSMClient).config;
    // The SDK keeps a setting it was given as it is, or as a provider when it resolved a default.
    const resolved = (setting: unknown) => (typeof setting === 'function' ? setting() : setting);
    expect(await resolved(config.retryMode)).toBe(BULK_READ_CLIENT_CONFIG.retryMode);
    expect(await resolved(config.maxAttempts)).toBe(BULK_READ_CLIENT_CONFIG.maxAttempts);
  });

  it("reads AppConfig's control plane with adaptive retry: a throttled ListDeployments is retried, not fatal", async () => {
    // Prepare
    serve(inSync());

    // Act
    await plan(['--env', 'staging']);

    // Assess
    const config = (appconfig.call(0).thisValue as AppConfigClient).config;
    const resolved = (setting: unknown) => (typeof setting === 'function' ? setting() : setting);
    expect(await resolved(config.retryMode)).toBe('adaptive');
    expect(await resolved(config.maxAttempts)).toBe(DEPLOYED_CONFIGURATION_CLIENT_CONFIG.maxAttempts);
    expect(DEPLOYED_CONFIGURATION_CLIENT_CONFIG.maxAttempts).toBeGreaterThan(3);
  });

  it('finds the AppConfig ids by application name when STEWARD_APPCONFIG is not set', async () => {
    // Prepare
    serve(inSync());
    appconfig.on(ListApplicationsCommand).resolves({
      Items: SERVICES.map((service) => ({ Id: `app-${service}`, Name: `acme-${service}` })),
    });
    appconfig.on(ListConfigurationProfilesCommand).callsFake((input: { ApplicationId: string }) => {
      const service = input.ApplicationId.slice('app-'.length);
      return {
        Items: [
          { Id: `doc-${service}`, Name: 'document' },
          { Id: `flags-${service}`, Name: 'flags' },
        ],
      };
    });
    appconfig.on(ListEnvironmentsCommand).callsFake((input: { ApplicationId: string }) => {
      const service = input.ApplicationId.slice('app-'.length);
      return { Items: ['staging', 'production'].map((env) => ({ Id: `env-${service}-${env}`, Name: env })) };
    });

    // Act
    const { code, out } = await plan(['--prefix', 'acme-'], {});

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('steward plan: no changes');
  });

  it('warns on stderr about a service AppConfig does not have, and plans its documents as created', async () => {
    // Prepare
    serve(inSync());
    const { orders } = TARGETS;

    // Act
    const { code, out, err } = await plan(['--env', 'staging', '--json'], {
      STEWARD_APPCONFIG: JSON.stringify({ orders }),
    });

    // Assess
    expect(code).toBe(2);
    const json = JSON.parse(out);
    expect(json.servicesNotInAppConfig).toEqual(['payments']);
    expect(
      json.environments[0].documents.map((d: { service: string; action: string }) => [d.service, d.action]),
    ).toEqual([
      ['payments', 'create'],
      ['payments', 'create'],
    ]);
    expect(err).toContain('steward plan: no AppConfig application "payments": its documents show as created');
  });

  it('exits 1 naming the call when permission is missing, and 1 for a usage error', async () => {
    // Prepare
    serve(inSync());
    ssm.on(DescribeParametersCommand).rejects(
      new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: ssm:DescribeParameters',
      }),
    );

    // Act
    const denied = await plan(['--env', 'staging']);
    const usage = await plan(['--format', 'yaml']);
    const both = await plan(['--json', '--format', 'github']);
    const noConfig = await plan(['--config', 'no-such-config-dir']);

    // Assess
    expect(denied.code).toBe(1);
    expect(denied.err).toContain('steward plan: AWS or network error');
    // aws-sdk-client-mock bypasses the client's middleware, so the adapter's own error names the call.
    expect(denied.err).toContain('DescribeParameters: access denied to /config/staging/');
    expect(denied.err).toContain('cause: AccessDeniedException');
    expect(usage.code).toBe(1);
    expect(usage.err).toContain('--format must be one of text, github');
    expect(both.code).toBe(1);
    expect(noConfig.code).toBe(1);
    expect(noConfig.err).toContain('steward plan: configuration error');
  });
});
