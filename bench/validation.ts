/**
 * validate-change cost: AWS SDK calls per accepted, rejected and duplicate change (the real
 * `SsmParameterStore` over an SSM client answered from an in-memory Parameter Store, paging as AWS
 * does), split before and during delivery; AppConfig calls per delivery; and the handlers' bundle sizes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { organisation } from '../config/index.ts';
import { SsmParameterStore } from '../functions/adapters/ssm-parameter-store.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import { parseParameterChange } from '../functions/core/validation/change-event.ts';
import { InProcessDeliveryQueue } from '../functions/core/delivery/in-process-queue.ts';
import { validateChanges } from '../functions/core/validation/validate-batch.ts';
import type { Enforcement } from '../functions/core/validation/judgement.ts';
import { InMemoryParameterStore } from '../test/support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from '../test/support/local-hmac-fingerprinter.ts';
import {
  FixedClock,
  InMemoryTicketTracker,
  RecordingEventPublisher,
} from '../test/support/recording-ports.ts';
import { exampleTargets, RecordingConfigDelivery } from '../test/support/validate-change-harness.ts';
import { bundle } from './bundling.ts';

const NAME = '/config/production/orders/max-retries';
const HISTORY_PAGE = 50;
const PATH_PAGE = 10;

/** An SSM client whose answers come from an in-memory store; every command sent is recorded. */
function emulatedSsm(memory: InMemoryParameterStore) {
  const client = new SSMClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const mock = mockClient(client);
  const page = <T>(items: T[], size: number, token?: string) => {
    const start = Number(token ?? 0);
    const next = start + size < items.length ? String(start + size) : undefined;
    return { items: items.slice(start, start + size), next };
  };
  mock.on(GetParameterCommand).callsFake(async ({ Name }) => {
    const p = await memory.get(Name);
    if (!p) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    return { Parameter: { Name: p.name, Value: p.value, Type: p.type, Version: p.version } };
  });
  mock.on(GetParameterHistoryCommand).callsFake(async ({ Name, NextToken, MaxResults }) => {
    const history = await memory.history(Name);
    if (history.length === 0) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    const { items, next } = page(history, Math.min(MaxResults ?? HISTORY_PAGE, HISTORY_PAGE), NextToken);
    return {
      Parameters: items.map((v) => ({
        Name: v.name,
        Value: v.value,
        Type: v.type,
        Version: v.version,
        Labels: [...v.labels],
        LastModifiedUser: v.lastModifiedUser,
        LastModifiedDate: v.lastModifiedDate,
      })),
      NextToken: next,
    };
  });
  mock.on(LabelParameterVersionCommand).callsFake(async ({ Name, ParameterVersion, Labels }) => {
    await memory.label(Name, ParameterVersion, Labels);
    return { InvalidLabels: [] };
  });
  mock.on(PutParameterCommand).callsFake(async ({ Name, Value, Type }) => ({
    Version: await memory.put(Name, Value, Type),
  }));
  mock.on(DeleteParameterCommand).callsFake(async ({ Name }) => {
    await memory.delete(Name);
    return {};
  });
  mock.on(GetParametersByPathCommand).callsFake(async ({ Path, NextToken, WithDecryption }) => {
    const all = await memory.getByPath(Path, { decrypt: Boolean(WithDecryption) });
    const { items, next } = page(all, PATH_PAGE, NextToken);
    return {
      Parameters: items.map((p) => ({ Name: p.name, Value: p.value, Type: p.type, Version: p.version })),
      NextToken: next,
    };
  });
  return { client, mock };
}

interface Scenario {
  readonly name: string;
  readonly enforcement: Enforcement;
  /** Versions written before the judged one (the first labelled good). */
  readonly history: number;
  readonly value: string;
  readonly repeat?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'accepted', enforcement: 'enforce', history: 1, value: '7' },
  { name: 'accepted, 60 versions of history', enforcement: 'enforce', history: 60, value: '7' },
  { name: 'rejected, enforce (restore)', enforcement: 'enforce', history: 1, value: 'seven' },
  { name: 'rejected, report', enforcement: 'report', history: 1, value: 'seven' },
  { name: 'duplicate event', enforcement: 'enforce', history: 1, value: '7', repeat: true },
];

async function measure(scenario: Scenario) {
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: 'config',
    environments: ['staging', 'production'],
  });
  const memory = new InMemoryParameterStore();
  for (const p of registry.desiredParameters()) {
    if (p.parameterType === 'String') memory.seed(p.name, p.value);
  }
  for (let i = 1; i < scenario.history; i++) memory.seed(NAME, '5');
  await memory.label(NAME, (await memory.history(NAME)).at(-1)!.version, ['last-known-good']);
  memory.seed(NAME, scenario.value);
  const { client, mock } = emulatedSsm(memory);
  const delivery = new RecordingConfigDelivery();
  // Stands in for KMS GenerateMac: counts the fingerprints a change costs.
  const fingerprinter = new LocalHmacFingerprinter();
  const ports = {
    registry,
    store: new SsmParameterStore(client),
    publisher: new RecordingEventPublisher(),
    tickets: new InMemoryTicketTracker(),
    clock: new FixedClock(new Date('2026-11-20T16:45:00Z')),
    fingerprinter,
    enforcement: () => scenario.enforcement,
  };
  // The delivery queue's consumer run in process: restores and the delivery happen within the call.
  const deps = {
    ...ports,
    requests: new InProcessDeliveryQueue({ ...ports, delivery, targets: exampleTargets() }),
  };
  const change = parseParameterChange({
    id: 'evt-1',
    time: '2026-11-20T16:44:48Z',
    detail: { name: NAME, operation: 'Update' },
  });
  const judge = async () =>
    (await validateChanges([{ recordId: 'm1', change }], deps)).outcomes.get('m1')?.outcome;
  if (scenario.repeat) await judge();
  mock.resetHistory();
  const hostedBefore = delivery.hosted.length;
  const deploymentsBefore = delivery.attempts.length;
  const lookupsBefore = delivery.lookups;
  const fingerprintsBefore = fingerprinter.calls;
  const outcome = await judge();
  const commands = mock
    .calls()
    .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);
  const duringDelivery = commands.filter((c) => c === 'GetParametersByPathCommand').length;
  mock.restore();
  return {
    scenario: scenario.name,
    outcome,
    sdkCallsBeforeDelivery: commands.length - duringDelivery,
    sdkCallsForDelivery: duringDelivery,
    appConfigCalls:
      delivery.hosted.length -
      hostedBefore +
      (delivery.attempts.length - deploymentsBefore) +
      (delivery.lookups - lookupsBefore),
    kmsGenerateMacCalls: fingerprinter.calls - fingerprintsBefore,
    commands: summarise(commands.filter((c) => c !== 'GetParametersByPathCommand')),
  };
}

function summarise(commands: string[]): string {
  const counts = new Map<string, number>();
  for (const c of commands)
    counts.set(c.replace(/Command$/, ''), (counts.get(c.replace(/Command$/, '')) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${c}×${n}`).join(' ');
}

export async function run(): Promise<void> {
  const rows = [];
  for (const scenario of SCENARIOS) rows.push(await measure(scenario));
  console.log(
    'SDK calls per change (target: at most 4 Parameter Store calls for an accepted change before delivery)',
  );
  console.table(rows);

  const outdir = mkdtempSync(path.join(tmpdir(), 'steward-bench-validation-'));
  try {
    const sizes = [];
    for (const name of ['validate-change', 'appconfig-validator']) {
      const built = await bundle(
        name,
        path.join(import.meta.dirname, '..', 'functions', 'handlers', `${name}.ts`),
        outdir,
      );
      sizes.push({
        handler: name,
        coldStartKiB: Math.round(built.bytes / 102.4) / 10,
        totalKiB: Math.round(built.totalBytes / 102.4) / 10,
      });
    }
    console.log('Handler bytes loaded at cold start (lib/bundling.ts, as StewardFunction builds them)');
    console.table(sizes);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
