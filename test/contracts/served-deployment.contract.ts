/**
 * The contract every `ServedDeploymentReader` meets ("deployed" means served: the newest COMPLETE or
 * BAKING deployment of the profile), run against the kill-switch tests' in-memory AppConfig and
 * `AppConfigKillSwitchStore` over simulated AppConfig. A factory hands back the reader and ways to
 * deploy a version of the profile, keep a deployment running, and undo one.
 */
import { describe, expect, it } from 'vitest';
import type { ServedDeploymentReader } from '../../functions/ports/config-delivery.ts';

export interface ServedDeploymentReaderUnderTest {
  readonly reader: ServedDeploymentReader;
  /** Deploy a new version of the profile (or of another profile) to the environment; its number. */
  deploy(options?: { readonly running?: boolean; readonly otherProfile?: boolean }): Promise<number>;
  /** Roll back (an alarm, StopDeployment) or revert a deployment. */
  undo(deploymentNumber: number, state: 'ROLLED_BACK' | 'REVERTED'): Promise<void>;
}

export const servedTarget = {
  applicationId: 'app-orders',
  environmentId: 'env-production-switches',
  configurationProfileId: 'profile-switches',
};

export function describeServedDeploymentContract(
  name: string,
  make: () => ServedDeploymentReaderUnderTest,
): void {
  describe(`Contract: ServedDeploymentReader (${name})`, () => {
    it('serves nothing in an environment the profile was never deployed to', async () => {
      // Prepare
      const { reader, deploy } = make();
      await deploy({ otherProfile: true });

      // Act
      const deployment = await reader.servedDeployment(servedTarget);

      // Assess
      expect(deployment.served).toBeUndefined();
      expect(deployment.passedOver).toEqual([]);
      expect(deployment.runningDeploymentNumber).toBeUndefined();
    });

    it("serves the profile's newest complete deployment, not another profile's newer one", async () => {
      // Prepare
      const { reader, deploy } = make();
      const first = await deploy();
      const second = await deploy();
      await deploy({ otherProfile: true });

      // Act
      const deployment = await reader.servedDeployment(servedTarget);

      // Assess
      expect(first).toBeLessThan(second);
      expect(deployment.served).toMatchObject({ deploymentNumber: second, state: 'COMPLETE' });
      expect(deployment.passedOver).toEqual([]);
    });

    it.each(['ROLLED_BACK', 'REVERTED'] as const)(
      'passes over a newer deployment that was %s and serves the one before it',
      async (state) => {
        // Prepare
        const { reader, deploy, undo } = make();
        const kept = await deploy();
        const undone = await deploy();
        await undo(undone, state);

        // Act
        const deployment = await reader.servedDeployment(servedTarget);

        // Assess
        expect(deployment.served?.deploymentNumber).toBe(kept);
        expect(deployment.passedOver).toMatchObject([{ deploymentNumber: undone, state }]);
      },
    );

    it('passes over a deployment still rolling out, and names it as the one keeping the environment busy', async () => {
      // Prepare
      const { reader, deploy } = make();
      const served = await deploy();
      const running = await deploy({ running: true });

      // Act
      const deployment = await reader.servedDeployment(servedTarget);

      // Assess
      expect(deployment.served?.deploymentNumber).toBe(served);
      expect(deployment.passedOver).toMatchObject([{ deploymentNumber: running, state: 'DEPLOYING' }]);
      expect(deployment.runningDeploymentNumber).toBe(running);
    });
  });
}
