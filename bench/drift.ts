/**
 * The drift sweep at 1,000 and 10,000 parameters across two environments, through the real
 * `SsmParameterStore` adapter and rate limiter, against an in-process Parameter Store that enforces
 * 40 requests/s (a token bucket on a virtual clock: every sleep advances virtual time, so the run
 * takes milliseconds of real time). Reports SDK calls, virtual run time, the floor (calls ÷ 40/s),
 * their ratio, throttled requests and throttling errors that reached the report.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { RateLimiter } from '../functions/adapters/rate-limiter.ts';
import { SsmParameterStore } from '../functions/adapters/ssm-parameter-store.ts';
import { runDrift } from '../functions/core/drift/run.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import { largeOrganisation } from '../test/support/large-organisation.ts';
import { LocalHmacFingerprinter } from '../test/support/local-hmac-fingerprinter.ts';

const STORE_RPS = 40;
const ENVIRONMENTS = ['staging', 'production'];
const BASE = Date.UTC(2026, 10, 23, 2);

interface Stored {
  value: string;
  type: 'String' | 'SecureString';
  version: number;
  lastModifiedDate: Date;
  labelled?: number;
}

class VirtualClock {
  ms = 0;
  sleep = async (ms: number) => {
    this.ms += ms;
  };
}

/** Parameter Store in process: the four read APIs the sweep uses, their page sizes, and a 40/s bucket. */
class ThrottledParameterStore {
  calls = 0;
  throttled = 0;
  private tokens = STORE_RPS;
  private updated = 0;
  private readonly names: string[];
  private readonly byPrefix = new Map<string, string[]>();

  constructor(
    private readonly data: Map<string, Stored>,
    private readonly clock: VirtualClock,
  ) {
    this.names = [...data.keys()].sort();
  }

  /** Stands in for `SSMClient.send`. */
  async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    this.calls++;
    this.refill();
    if (this.tokens < 1) {
      this.throttled++;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    this.tokens -= 1;
    const input = command.input;
    switch (command.constructor.name) {
      case 'GetParametersByPathCommand':
        return this.byPath(input);
      case 'DescribeParametersCommand':
        return this.describe(input);
      case 'GetParametersCommand':
        return {
          Parameters: (input.Names as string[]).flatMap((name) => {
            const p = this.data.get(name);
            return p ? [{ Name: name, Value: p.value, Type: p.type, Version: p.version }] : [];
          }),
        };
      default:
        throw new Error(`not implemented: ${command.constructor.name}`);
    }
  }

  private refill(): void {
    const elapsed = this.clock.ms - this.updated;
    this.tokens = Math.min(STORE_RPS, this.tokens + (elapsed * STORE_RPS) / 1000);
    this.updated = this.clock.ms;
  }

  /** Ten candidates a page; a Label filter can leave a page empty while a NextToken remains. */
  private byPath(input: Record<string, unknown>) {
    const prefix = `${input.Path as string}/`;
    const start = Number(input.NextToken ?? 0);
    const size = Math.min(10, Number(input.MaxResults ?? 10));
    const candidates = this.under(prefix);
    const page = candidates.slice(start, start + size);
    const labelFilter = (input.ParameterFilters as { Key: string }[] | undefined)?.some(
      (f) => f.Key === 'Label',
    );
    const parameters = page.flatMap((name) => {
      const p = this.data.get(name)!;
      if (labelFilter) return p.labelled ? [{ Name: name, Version: p.labelled, Type: p.type }] : [];
      return [
        {
          Name: name,
          Type: p.type,
          Version: p.version,
          LastModifiedDate: p.lastModifiedDate,
          Value: p.type === 'SecureString' && !input.WithDecryption ? 'AQICAHh-ciphertext' : p.value,
        },
      ];
    });
    const next = start + size < candidates.length ? String(start + size) : undefined;
    return { Parameters: parameters, NextToken: next };
  }

  /** Sorted names under a prefix, computed once per prefix (the harness's cost, not the sweep's). */
  private under(prefix: string): string[] {
    let names = this.byPrefix.get(prefix);
    if (!names) {
      names = this.names.filter((n) => n.startsWith(prefix));
      this.byPrefix.set(prefix, names);
    }
    return names;
  }

  private describe(input: Record<string, unknown>) {
    const filter = (input.ParameterFilters as { Values: string[] }[])[0];
    const prefix = `${filter?.Values[0] ?? ''}/`;
    const start = Number(input.NextToken ?? 0);
    const candidates = this.under(prefix);
    const page = candidates.slice(start, start + 50);
    return {
      Parameters: page.map((name) => ({
        Name: name,
        Type: this.data.get(name)?.type,
        Version: 1,
        LastModifiedUser: 'bench',
      })),
      NextToken: start + 50 < candidates.length ? String(start + 50) : undefined,
    };
  }
}

interface Row {
  parameters: number;
  clientRps: number;
  calls: number;
  /** Values fingerprinted (KMS GenerateMac calls in the deployed job). */
  fingerprints: number;
  throttled: number;
  virtualSeconds: number;
  floorSeconds: number;
  ratio: number;
  surfacedErrors: number;
  findings: number;
  realMs: number;
}

async function measure(totalParameters: number, clientRps: number): Promise<Row> {
  const keysPerService = 50;
  const services = totalParameters / ENVIRONMENTS.length / keysPerService;
  const organisation = largeOrganisation(services, keysPerService, ENVIRONMENTS);
  const registry = new SchemaRegistry(organisation, { parameterRoot: 'config', environments: ENVIRONMENTS });
  const data = new Map<string, Stored>();
  let i = 0;
  for (const desired of registry.desiredParameters()) {
    i++;
    // 1 in 100 drifted, 1 in 200 never labelled last-known-good.
    data.set(desired.name, {
      value: i % 100 === 0 ? `${desired.value}-drifted` : desired.value,
      type: desired.parameterType,
      version: 2,
      lastModifiedDate: new Date(BASE - 86_400_000),
      labelled: i % 200 === 7 ? undefined : 2,
    });
  }
  const clock = new VirtualClock();
  const store = new ThrottledParameterStore(data, clock);
  const limiter = new RateLimiter({ requestsPerSecond: clientRps, now: () => clock.ms, sleep: clock.sleep });
  const source = new SsmParameterStore(store as unknown as SSMClient, {
    limiter,
    sleep: clock.sleep,
    throttleAttempts: 10,
  });

  // Stands in for KMS GenerateMac: counts the values the run had to fingerprint.
  const fingerprinter = new LocalHmacFingerprinter();
  const started = performance.now();
  const report = await runDrift({
    registry,
    source,
    fingerprinter,
    clock: { now: () => new Date(BASE + clock.ms) },
    elapsed: () => clock.ms,
  });
  const realMs = performance.now() - started;
  const virtualSeconds = clock.ms / 1000;
  const floorSeconds = store.calls / STORE_RPS;
  return {
    parameters: report.parametersScanned,
    clientRps,
    calls: store.calls,
    fingerprints: fingerprinter.calls,
    throttled: store.throttled,
    virtualSeconds,
    floorSeconds,
    ratio: virtualSeconds / floorSeconds,
    surfacedErrors: report.findingsByKind['read-error'],
    findings: report.findings.length,
    realMs,
  };
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const total of [1_000, 10_000]) {
    // 40/s: the store's limit (the settings' maximum); 20/s: the default, leaving half for others;
    // 60/s: overdriven on purpose, to show throttling absorbed by retries.
    for (const rps of [40, 20, 60]) rows.push(await measure(total, rps));
  }
  console.log(
    `In-process Parameter Store enforcing ${STORE_RPS} requests/s; virtual clock. Floor = calls ÷ ${STORE_RPS}/s.`,
  );
  console.log('');
  console.log(
    '| parameters | client rps | SDK calls | GenerateMac | throttled | run time (virtual) | floor | ratio | throttling errors surfaced | findings | real time |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.parameters.toLocaleString('en')} | ${r.clientRps} | ${r.calls} | ${r.fingerprints} | ${r.throttled} | ${r.virtualSeconds.toFixed(1)} s | ` +
        `${r.floorSeconds.toFixed(1)} s | ${r.ratio.toFixed(2)} | ${r.surfacedErrors} | ${r.findings} | ${r.realMs.toFixed(0)} ms |`,
    );
  }
  const target = rows.filter((r) => r.clientRps === STORE_RPS);
  const ok = target.every((r) => r.ratio <= 1.2 && r.surfacedErrors === 0);
  console.log('');
  console.log(
    `Target (client at ${STORE_RPS}/s): ratio ≤ 1.2 and zero throttling errors surfaced: ${ok ? 'met' : 'NOT met'}.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
