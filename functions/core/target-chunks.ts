/**
 * The stack's AppConfig ids (`AppConfigTargets`) and kill-switch ids (`KillSwitchTargets`) split into
 * chunks, each the value of one Standard-tier parameter (4 KB) under the stack's targets path
 * (names.ts `appConfigTargetsPath`), and merged back by the functions that read them. A chunk is
 * `{ "appConfig"?: { [service]: ServiceTarget }, "killSwitches"?: { deploymentStrategyId, services } }`:
 * the same shapes as `STEWARD_APPCONFIG` and `STEWARD_KILL_SWITCHES`, each holding some services.
 */
import * as z from 'zod/mini';
import { type AppConfigTargets, appConfigTargetsSchema, type ServiceTarget } from './appconfig-targets.ts';
import { ConfigurationError } from './errors.ts';
import {
  type KillSwitchTargets,
  killSwitchTargetsSchema,
  type ServiceKillSwitchTarget,
} from './flags/kill-switch-targets.ts';
import { parseJsonVariable } from './json-variable.ts';

/** Every id the stack hands its functions. */
export interface StackTargets {
  readonly appConfig: AppConfigTargets;
  /** Undefined when no service declares kill switches (nor was given their ids). */
  readonly killSwitches?: KillSwitchTargets;
}

/** What one parameter holds: some services' AppConfig ids, some services' kill-switch ids. */
export interface TargetChunk {
  readonly appConfig?: AppConfigTargets;
  readonly killSwitches?: KillSwitchTargets;
}

const chunkSchema = z.strictObject({
  appConfig: z.optional(appConfigTargetsSchema),
  killSwitches: z.optional(killSwitchTargetsSchema),
});

/**
 * Split the targets into as few chunks as fit `budgetBytes` each, measured by `sizeOf` (the stack
 * measures CloudFormation references at their resolved size, generously); services keep their order.
 *
 * @throws ConfigurationError when one service alone does not fit
 * @example
 * const chunks = splitTargets(targets, (chunk) => JSON.stringify(chunk).length, 3_584);
 */
export function splitTargets(
  targets: StackTargets,
  sizeOf: (chunk: TargetChunk) => number,
  budgetBytes: number,
): TargetChunk[] {
  type Item = { service: string } & (
    { kind: 'appConfig'; target: ServiceTarget } | { kind: 'killSwitches'; target: ServiceKillSwitchTarget }
  );
  const items: Item[] = [
    ...Object.entries(targets.appConfig).map(([service, target]): Item => ({
      service,
      kind: 'appConfig',
      target,
    })),
    ...Object.entries(targets.killSwitches?.services ?? {}).map(([service, target]): Item => ({
      service,
      kind: 'killSwitches',
      target,
    })),
  ];
  const chunkOf = (members: readonly Item[]): TargetChunk => {
    const appConfig = members.filter((m) => m.kind === 'appConfig');
    const switches = members.filter((m) => m.kind === 'killSwitches');
    return {
      ...(appConfig.length > 0
        ? { appConfig: Object.fromEntries(appConfig.map((m) => [m.service, m.target as ServiceTarget])) }
        : {}),
      ...(switches.length > 0 && targets.killSwitches
        ? {
            killSwitches: {
              deploymentStrategyId: targets.killSwitches.deploymentStrategyId,
              services: Object.fromEntries(
                switches.map((m) => [m.service, m.target as ServiceKillSwitchTarget]),
              ),
            },
          }
        : {}),
    };
  };
  const chunks: TargetChunk[] = [];
  let members: Item[] = [];
  for (const item of items) {
    if (sizeOf(chunkOf([item])) > budgetBytes) {
      throw new ConfigurationError(
        `the ${item.kind === 'appConfig' ? 'AppConfig' : 'kill-switch'} ids of ${item.service} alone exceed ` +
          `${budgetBytes} bytes, more than one parameter holds`,
      );
    }
    if (members.length > 0 && sizeOf(chunkOf([...members, item])) > budgetBytes) {
      chunks.push(chunkOf(members));
      members = [];
    }
    members.push(item);
  }
  if (members.length > 0) chunks.push(chunkOf(members));
  // Kill-switch ids with no service still name the strategy: keep them, as STEWARD_KILL_SWITCHES did.
  if (targets.killSwitches && Object.keys(targets.killSwitches.services).length === 0) {
    chunks.push({ killSwitches: targets.killSwitches });
  }
  return chunks;
}

/**
 * Merge the parameters read under `path` back into the targets. A missing path, a chunk that is not
 * JSON of the chunk's shape, a service in two chunks or two kill-switch strategies is an error naming
 * the path or the parameter (never its value), and no targets are returned.
 *
 * @example
 * const { appConfig, killSwitches } = mergeTargetChunks('/config-steward/ConfigSteward/appconfig-targets', parameters);
 */
export function mergeTargetChunks(
  path: string,
  parameters: readonly { readonly name: string; readonly value: string }[],
): StackTargets {
  if (parameters.length === 0) {
    throw new ConfigurationError(
      `no AppConfig targets under ${path}: the stack writes them there on deploy (is it deployed, ` +
        'and is the path the one it wrote?)',
    );
  }
  const appConfig: Record<string, ServiceTarget> = {};
  const switches: Record<string, ServiceKillSwitchTarget> = {};
  let strategy: string | undefined;
  const seen = (service: string, name: string, kind: string) =>
    new ConfigurationError(
      `${name}: the ${kind} ids of ${service} are also in another parameter under ${path}`,
    );
  for (const { name, value } of [...parameters].sort((a, b) => a.name.localeCompare(b.name))) {
    const chunk = parseJsonVariable(name, value, chunkSchema);
    for (const [service, target] of Object.entries(chunk.appConfig ?? {})) {
      if (service in appConfig) throw seen(service, name, 'AppConfig');
      appConfig[service] = target;
    }
    if (chunk.killSwitches) {
      if (strategy !== undefined && strategy !== chunk.killSwitches.deploymentStrategyId) {
        throw new ConfigurationError(
          `${name}: a kill-switch strategy other than another parameter's under ${path}`,
        );
      }
      strategy = chunk.killSwitches.deploymentStrategyId;
      for (const [service, target] of Object.entries(chunk.killSwitches.services)) {
        if (service in switches) throw seen(service, name, 'kill-switch');
        switches[service] = target;
      }
    }
  }
  return {
    appConfig,
    ...(strategy === undefined
      ? {}
      : { killSwitches: { deploymentStrategyId: strategy, services: switches } }),
  };
}
