/**
 * The read behind runtime/stack-targets.ts, loaded on first use: every parameter under the stack's
 * targets path (GetParametersByPath, every page, throttling retried by the store), merged into the ids.
 * The SSM client is imported here by name so esbuild tree-shakes it (see in-process-delivery-consumer.ts).
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmParameterStore } from '../adapters/ssm-parameter-store.ts';
import { mergeTargetChunks, type StackTargets } from '../core/target-chunks.ts';
import type { ParameterStore } from '../ports/parameter-store.ts';

/**
 * @example
 * const { appConfig } = await readStackTargets('/config-steward/ConfigSteward/appconfig-targets');
 */
export async function readStackTargets(
  path: string,
  store?: () => Promise<Pick<ParameterStore, 'getByPath'>>,
): Promise<StackTargets> {
  const reader = store ? await store() : new SsmParameterStore(new SSMClient({}));
  return mergeTargetChunks(path, await reader.getByPath(path, { decrypt: false }));
}
