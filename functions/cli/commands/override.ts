/**
 * `steward override <parameter> <value> --reason TEXT --until TIME [--env E] [--approved-by P]`: the
 * audited break-glass change. Checks everything it can offline first (declared key, schema, reason,
 * until, approval), then asks STS who is calling, records the override as tags on the parameter,
 * writes it, and publishes `Config Override Applied`. A refused request writes nothing and exits 2.
 * The write then travels the ordinary change path: validate-change judges it, deliver-changes ships
 * the document all at once because it holds an override not yet deployed (README "Break-glass overrides").
 */
import * as path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge-publisher.ts';
import { SsmParameterStoreWithOverrides } from '../../adapters/ssm-override-store.ts';
import { mayShowValues } from '../../core/disclosure.ts';
import { applyOverride } from '../../core/override-apply.ts';
import { OVERRIDE_DEPLOYMENT_STRATEGY_ID } from '../../core/override.ts';
import { type OverrideRequest, planOverride } from '../../core/override-plan.ts';
import { systemClock } from '../../ports/clock.ts';
import { parseCommandArgs } from '../arguments.ts';
import { AwsCalls, cliClientConfig } from '../aws-calls.ts';
import { loadDesiredRegistry } from '../desired-state.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';

/** The options `steward override` accepts; its `--help` describes each (a test checks). */
export const overrideOptions = {
  env: { type: 'string' },
  config: { type: 'string' },
  reason: { type: 'string' },
  until: { type: 'string' },
  'approved-by': { type: 'string' },
} as const;

export async function override(argv: string[], io: CommandIo, aws = new AwsCalls()): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    options: overrideOptions,
    allowPositionals: true,
    strict: true,
  });
  const [parameter, value, ...extra] = positionals;
  if (parameter === undefined || value === undefined || extra.length > 0) {
    throw new UsageError('give exactly one parameter and one value');
  }
  const { settings, registry } = await loadDesiredRegistry(
    path.resolve(values.config ?? 'config'),
    values.env,
  );
  const request: OverrideRequest = {
    parameter,
    value,
    reason: values.reason,
    until: values.until,
    environment: values.env,
    approvedBy: values['approved-by'],
  };
  const context = { registry, policy: settings.overrides, now: systemClock.now() };

  // Everything but "is the approver someone else" is known without AWS: refuse that first.
  const offline = planOverride(request, { ...context, caller: '' });
  if (!offline.ok) return refuse(offline.problems, io);
  const sts = aws.instrument(new STSClient(cliClientConfig()));
  const { Arn: caller } = await sts.send(new GetCallerIdentityCommand({}));
  if (!caller) throw new Error('STS GetCallerIdentity returned no Arn');
  const plan = planOverride(request, { ...context, caller });
  if (!plan.ok) return refuse(plan.problems, io);

  const store = new SsmParameterStoreWithOverrides(aws.instrument(new SSMClient(cliClientConfig())));
  const publisher = new EventBridgeEventPublisher(
    aws.instrument(new EventBridgeClient(cliClientConfig())),
    settings.eventBus.name,
  );
  const applied = await applyOverride(plan.override, { registry, store, overrides: store, publisher });

  const { name, record, key, service, parameterType } = plan.override;
  const shown = mayShowValues({
    key,
    sensitive: registry.service(service)?.keys[key]?.sensitive,
    values: [{ type: parameterType, value }],
  });
  io.out(
    `steward override: ${applied.created ? 'created' : 'wrote'} ${name} version ${applied.version}` +
      `${shown ? ` = ${value}` : ' (value withheld)'}, active until ${record.until.toISOString()}`,
  );
  io.out(`  recorded as tags steward:override-* on the parameter; actor ${record.actor}`);
  if (record.approvedBy) io.out(`  approved by ${record.approvedBy} (as stated; not verified)`);
  io.out(`  published Config Override Applied on ${settings.eventBus.name}`);
  io.out(
    `  delivery: validate-change judges the write; deliver-changes ships the document ${OVERRIDE_DEPLOYMENT_STRATEGY_ID} ` +
      '(after any deployment already running in that environment)',
  );
  io.out(
    '  fold it back: put the value in config/ and deploy, before it expires (steward drift reports it until then)',
  );
  return ExitCode.Clean;
}

function refuse(problems: readonly string[], io: CommandIo): number {
  io.err('steward override: refused, nothing written:');
  for (const problem of problems) io.err(`  ${problem}`);
  return ExitCode.Usage;
}
