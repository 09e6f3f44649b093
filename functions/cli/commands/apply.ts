/**
 * `steward apply [--env E] [--config DIR] [--dry-run]`: writes the desired plain parameters that differ
 * from Parameter Store, with the same core and rate limit as the deploy-time reconcile. Runs against
 * whatever endpoint `AWS_ENDPOINT_URL` names.
 */
import * as path from 'node:path';
import { SSMClient } from '@aws-sdk/client-ssm';
import { RateLimiter } from '../../adapters/rate-limiter.ts';
import { SsmParameterStoreWithOverrides } from '../../adapters/ssm-override-store.ts';
import { activeOverrideNames } from '../../core/override.ts';
import { planReconcile, reconcileDesiredParameters } from '../../core/reconcile.ts';
import { systemClock } from '../../ports/clock.ts';
import { parseCommandArgs } from '../arguments.ts';
import { AwsCalls, cliClientConfig } from '../aws-calls.ts';
import { loadDesiredRegistry } from '../desired-state.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';
import { count, createProgress } from '../progress.ts';

/** The options `steward apply` accepts; its `--help` describes each (a test checks). */
export const applyOptions = {
  env: { type: 'string' },
  config: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rate: { type: 'string' },
} as const;

export async function apply(argv: string[], io: CommandIo, aws = new AwsCalls()): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: applyOptions,
    strict: true,
  });
  const { settings, registry, selected } = await loadDesiredRegistry(
    path.resolve(values.config ?? 'config'),
    values.env,
  );
  // `Number('')` is 0 and `Number('Infinity')` is not a rate: only a finite positive number is.
  const rate = values.rate === undefined ? 10 : Number(values.rate);
  if (!(Number.isFinite(rate) && rate > 0)) {
    throw new UsageError('--rate must be a positive number of writes per second');
  }

  const store = new SsmParameterStoreWithOverrides(aws.instrument(new SSMClient(cliClientConfig())));

  if (values['dry-run']) {
    for (const environment of selected) {
      const stored = await store.getByPath(`/${settings.parameterRoot}/${environment}/`, { decrypt: false });
      const path = `/${settings.parameterRoot}/${environment}/`;
      const plan = planReconcile(
        registry.desiredParameters(environment),
        stored,
        activeOverrideNames(await store.overridesUnder(path), systemClock.now()),
      );
      for (const write of plan.writes) io.out(`would write ${write.name}`);
      for (const name of plan.heldByOverride) io.out(`would keep ${name} (active break-glass override)`);
      io.out(`${environment}: ${plan.writes.length} to write, ${plan.unchanged} unchanged`);
    }
    return ExitCode.Clean;
  }
  const limiter = new RateLimiter({ requestsPerSecond: rate });
  const progress = createProgress(io.stderr);
  let planned = { environment: '', writes: 0, done: 0 };
  let outcome: Awaited<ReturnType<typeof reconcileDesiredParameters>>;
  try {
    outcome = await reconcileDesiredParameters(registry, store, {
      environments: selected,
      overrides: { store, now: () => systemClock.now() },
      onPlan: (environment, plan) => {
        planned = { environment, writes: plan.writes.length, done: 0 };
      },
      beforeWrite: async () => {
        await limiter.acquire();
        planned.done++;
        const left = Math.ceil((planned.writes - planned.done) / rate);
        progress.update(
          `steward apply: ${planned.environment} ${count(planned.done)}/${count(planned.writes)} ` +
            `written at ${rate}/s, about ${left} s left`,
        );
      },
    });
  } finally {
    progress.done();
  }
  for (const name of outcome.written) io.out(`wrote ${name}`);
  for (const name of outcome.heldByOverride) io.out(`kept ${name} (active break-glass override)`);
  io.out(`steward apply: ${outcome.written.length} written, ${outcome.unchanged} unchanged`);
  return ExitCode.Clean;
}
