/**
 * The wiring of the in-process delivery consumer, the one module in-process-delivery.ts loads on
 * first use. The AppConfig client is imported here by name so esbuild tree-shakes the package: a
 * dynamic `import('@aws-sdk/client-appconfig')` keeps every export live (its paginators and waiters
 * too), and what of that sits in files the entry shares (the SDK's waiter and paginator helpers,
 * 3.9 KB) was then loaded at every validate-change cold start, as esbuild assigns whole files to chunks.
 */
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { AppConfigDelivery } from '../adapters/appconfig-delivery.ts';
import { InProcessDeliveryQueue } from '../core/delivery/in-process-queue.ts';
import type { ProcessDeliveryDependencies } from '../core/delivery/process-requests.ts';
import { stackTargets, type StackTargetVariables } from './stack-targets.ts';

/**
 * @example
 * const queue = await inProcessDeliveryConsumer(ports, process.env);
 */
export async function inProcessDeliveryConsumer(
  ports: Omit<ProcessDeliveryDependencies, 'delivery' | 'targets'>,
  appConfigTargets: StackTargetVariables,
): Promise<InProcessDeliveryQueue> {
  return new InProcessDeliveryQueue({
    ...ports,
    delivery: new AppConfigDelivery(new AppConfigClient({})),
    targets: await stackTargets(appConfigTargets, { whenAbsent: 'empty' }).appConfig(),
  });
}
