/**
 * The contract every `DeployedConfigurationReader` meets, run against the in-memory double and
 * `AppConfigDeployedConfiguration` over simulated AppConfig. A factory hands back the reader and
 * ways to create an application and deploy to it.
 */
import { describe, expect, it } from 'vitest';
import type {
  DeployedConfiguration,
  DeployedConfigurationReader,
  DeployedTarget,
  ServiceProfiles,
} from '../../functions/ports/deployed-configuration.ts';

export interface DeployedConfigurationUnderTest {
  readonly reader: DeployedConfigurationReader;
  /** An application named `name` with a `document` and a `flags` profile and the named environments. */
  addApplication(name: string, environments: readonly string[]): ServiceProfiles;
  /** Host `content` as a new version of the profile and deploy it, ending in `state`. */
  deploy(target: DeployedTarget, content: string, state?: string): DeployedConfiguration;
}

const documentOf = (ids: ServiceProfiles, environment: string): DeployedTarget => ({
  applicationId: ids.applicationId,
  environmentId: ids.environments[environment] as string,
  configurationProfileId: ids.documentProfileId,
});

export function describeDeployedConfigurationContract(
  name: string,
  make: () => DeployedConfigurationUnderTest,
): void {
  describe(`Contract: DeployedConfigurationReader (${name})`, () => {
    it('finds services by application name and prefix, with both profiles and each environment', async () => {
      // Prepare
      const { reader, addApplication } = make();
      const orders = addApplication('team-orders', ['staging', 'production']);
      addApplication('payments', ['staging']);

      // Act
      const found = await reader.locate(['orders', 'payments', 'unknown'], { namePrefix: 'team-' });

      // Assess
      expect(Object.keys(found)).toEqual(['orders']);
      expect(found['orders']).toEqual(orders);
      expect(Object.keys(found['orders']?.environments ?? {}).sort()).toEqual(['production', 'staging']);
    });

    it('reports nothing deployed for a profile that has had no deployment', async () => {
      // Prepare
      const { reader, addApplication } = make();
      const ids = addApplication('orders', ['staging']);

      // Act
      const deployed = await reader.deployed(documentOf(ids, 'staging'));

      // Assess
      expect(deployed).toBeUndefined();
    });

    it("returns the newest shipping deployment's content, not another profile's or a rolled-back one", async () => {
      // Prepare
      const { reader, addApplication, deploy } = make();
      const ids = addApplication('orders', ['staging']);
      const target = documentOf(ids, 'staging');
      const first = deploy(target, '{"max-retries":3}');
      deploy(
        { ...target, configurationProfileId: ids.flagsProfileId },
        '{"version":"1","flags":{},"values":{}}',
      );
      deploy(target, '{"max-retries":9}', 'ROLLED_BACK');

      // Act
      const deployed = await reader.deployed(target);

      // Assess
      expect(deployed?.content).toBe('{"max-retries":3}');
      expect(deployed?.configurationVersion).toBe(first.configurationVersion);
      expect(deployed?.deploymentNumber).toBe(first.deploymentNumber);
      expect(deployed?.state).toBe('COMPLETE');
    });

    it('counts a deployment still rolling out as what the environment is getting', async () => {
      // Prepare
      const { reader, addApplication, deploy } = make();
      const ids = addApplication('orders', ['production']);
      const target = documentOf(ids, 'production');
      deploy(target, '{"max-retries":3}');
      deploy(target, '{"max-retries":5}', 'BAKING');

      // Act
      const deployed = await reader.deployed(target);

      // Assess
      expect(deployed?.content).toBe('{"max-retries":5}');
      expect(deployed?.state).toBe('BAKING');
    });
  });
}
