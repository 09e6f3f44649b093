import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { parseRuntimeEnvironment, runtimeEnvironment } from '../../functions/core/runtime-settings.ts';
import { loadSettings } from '../../lib/settings.ts';

const example = JSON.parse(readFileSync('config/settings.json', 'utf8'));
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function writeSettings(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'settings-')), 'settings.json');
  writeFileSync(file, content);
  return file;
}

describe('Function: loadSettings', () => {
  it('loads the example settings with defaults filled in', () => {
    // Act
    const settings = loadSettings('config/settings.json');

    // Assess
    expect(settings.parameterRoot).toBe('config');
    expect(settings.environments.map((e) => e.name)).toEqual(['staging', 'production']);
    expect(settings.tickets).toEqual({ tracker: 'opscenter' });
    expect(settings.nightly.timeZone).toBe('Europe/Dublin');
    // Opt-in: maps cost every cold start (README "How functions are bundled").
    expect(settings.sourceMaps).toBe(false);
    expect(settings.pipeline).toEqual({
      readsPerSecond: 20,
      validation: { batchSize: 10, maxBatchingWindowSeconds: 5, maxConcurrency: 2 },
      delivery: { maxConcurrency: 2, retrySeconds: 60, maxWaitMinutes: 180 },
    });
  });

  it('splits the read budget over every instance that may read at once', async () => {
    // Prepare
    const { readBudget } = await import('../../functions/core/pipeline/read-budget.ts');
    const settings = loadSettings('config/settings.json');

    // Act
    const budget = readBudget(settings);
    const uneven = readBudget({
      pipeline: {
        ...settings.pipeline,
        readsPerSecond: 40,
        validation: { ...settings.pipeline.validation, maxConcurrency: 5 },
      },
    });

    // Assess: the instances' limits never add up to more than the budget
    expect(budget).toEqual({
      readsPerSecond: 20,
      instances: { validation: 2, delivery: 2, reconcile: 1 },
      perInstance: 4,
    });
    expect(uneven.perInstance).toBe(5);
    const total = (b: typeof budget) =>
      (b.instances.validation + b.instances.delivery + b.instances.reconcile) * b.perInstance;
    expect(total(uneven)).toBeLessThanOrEqual(40);
    expect(total(readBudget({ pipeline: { ...settings.pipeline, readsPerSecond: 7 } }))).toBeLessThanOrEqual(
      7,
    );
  });

  it.each([
    [
      { ...example, environments: [{ ...example.environments[0], enforcement: 'block' }] },
      'environments.0.enforcement',
    ],
    [{ ...example, parameterRoot: 'a/b' }, 'parameterRoot'],
    [{ ...example, logRetentionDay: 30 }, 'logRetentionDay'],
    [{ ...example, tickets: { tracker: 'github', owner: 'acme' } }, 'tickets.repo'],
    [{ ...example, nightly: { cron: '0 2 * * *', timeZone: 'UTC' } }, 'nightly.cron'],
    [{ ...example, environments: [] }, 'environments'],
    [{ ...example, sourceMaps: 'off' }, 'sourceMaps'],
    [{ ...example, environments: [example.environments[0], example.environments[0]] }, 'environments'],
    // Vpc.fromVpcAttributes places subnet i in zone i modulo the zone count: 3 subnets in 2 zones cannot be placed
    [
      { ...example, vpc: { ...example.vpc, subnetIds: ['subnet-1', 'subnet-2', 'subnet-3'] } },
      'vpc.subnetIds',
    ],
    [{ ...example, parameterKmsKeyArns: ['alias/aws/ssm'] }, 'parameterKmsKeyArns.0'],
    [
      { ...example, parameterKmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:alias/ssm'] },
      'parameterKmsKeyArns.0',
    ],
    [{ ...example, parameterKmsKeyArns: [KEY, KEY] }, 'parameterKmsKeyArns'],
    [{ ...example, pipeline: { readsPerSecond: 60 } }, 'pipeline.readsPerSecond'],
    [{ ...example, pipeline: { validation: { maxConcurrency: 1 } } }, 'pipeline.validation.maxConcurrency'],
    [
      { ...example, pipeline: { validation: { batchSize: 50, maxBatchingWindowSeconds: 0 } } },
      'pipeline.validation.maxBatchingWindowSeconds',
    ],
    // 720 minutes retried every 10 s is 4,320 receives: SQS's maxReceiveCount stops at 1,000, so
    // CloudFormation would refuse the delivery queue at deploy time.
    [
      { ...example, pipeline: { delivery: { retrySeconds: 10, maxWaitMinutes: 720 } } },
      'pipeline.delivery.maxWaitMinutes',
    ],
  ])('names the file and field of a broken setting (%#: %s)', (content, field) => {
    // Prepare
    const file = writeSettings(JSON.stringify(content));

    // Act
    const load = () => loadSettings(file);

    // Assess
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${field.replace('.', '\\.')}`),
    );
  });

  it('takes the customer managed keys of SecureString parameters by key ARN, none by default', () => {
    // Prepare
    const withKeys = writeSettings(JSON.stringify({ ...example, parameterKmsKeyArns: [KEY] }));

    // Act
    const defaults = loadSettings('config/settings.json');
    const named = loadSettings(withKeys);

    // Assess
    expect(defaults.parameterKmsKeyArns).toEqual([]);
    expect(named.parameterKmsKeyArns).toEqual([KEY]);
  });

  it('reports malformed JSON and a missing file with the file name', () => {
    const broken = writeSettings('{ "parameterRoot": ');
    expect(() => loadSettings(broken)).toThrow(`${broken}: not valid JSON`);
    expect(() => loadSettings('/nonexistent/settings.json')).toThrow(
      '/nonexistent/settings.json: cannot read',
    );
  });
});

describe('Function: runtimeEnvironment', () => {
  it('round-trips the settings a function needs through environment variables', () => {
    // Prepare
    const settings = loadSettings('config/settings.json');

    // Act
    const runtime = parseRuntimeEnvironment(runtimeEnvironment(settings));

    // Assess
    expect(runtime.STEWARD_PARAMETER_ROOT).toBe('config');
    expect(runtime.STEWARD_ENVIRONMENTS).toEqual([
      { name: 'staging', enforcement: 'enforce' },
      { name: 'production', enforcement: 'enforce' },
    ]);
    expect(runtime.STEWARD_TICKETS).toEqual({ tracker: 'opscenter' });
  });

  it('names each missing or malformed variable', () => {
    expect(() => parseRuntimeEnvironment({ STEWARD_ENVIRONMENTS: 'not json' })).toThrow(
      /STEWARD_PARAMETER_ROOT.*STEWARD_ENVIRONMENTS: expected JSON/s,
    );
  });
});
