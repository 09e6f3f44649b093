/**
 * The contract every `ConfigDelivery` meets, run against the recording double and `AppConfigDelivery`
 * over simulated AppConfig. A factory hands back the delivery and a way to keep an environment busy
 * with another profile's deployment (the flags profile shares the environment).
 */
import { describe, expect, it } from 'vitest';
import type {
  ConfigDelivery,
  DeploymentRequest,
  HostedDocument,
} from '../../functions/ports/config-delivery.ts';

export interface ConfigDeliveryUnderTest {
  readonly delivery: ConfigDelivery;
  /** Start a deployment of another profile that keeps the environment busy. */
  occupy(applicationId: string, environmentId: string): void;
}

const document = (label: string): HostedDocument => ({
  applicationId: 'app-orders',
  configurationProfileId: 'doc-orders',
  content: `{"max-retries":${label.length}}`,
  contentType: 'application/json',
  description: `composed for event-${label}`,
  versionLabel: `sha256-${label}`,
});

const deployment = (configurationVersion: string): DeploymentRequest => ({
  applicationId: 'app-orders',
  environmentId: 'env-production',
  configurationProfileId: 'doc-orders',
  configurationVersion,
  deploymentStrategyId: 'strategy-linear',
  description: 'Config Steward delivery',
});

const target = {
  applicationId: 'app-orders',
  environmentId: 'env-production',
  configurationProfileId: 'doc-orders',
};

export function describeConfigDeliveryContract(name: string, make: () => ConfigDeliveryUnderTest): void {
  describe(`Contract: ConfigDelivery (${name})`, () => {
    it('stores a document once per label, and a new label as a new version', async () => {
      // Prepare
      const { delivery } = make();

      // Act
      const first = await delivery.ensureHostedVersion(document('aaaa'));
      const again = await delivery.ensureHostedVersion(document('aaaa'));
      const next = await delivery.ensureHostedVersion(document('bbbbbb'));

      // Assess
      expect(again).toBe(first);
      expect(next).not.toBe(first);
    });

    it('reports no deployment for an environment that has had none, and a free environment', async () => {
      // Prepare
      const { delivery } = make();

      // Act
      const state = await delivery.environmentState(target);

      // Assess
      expect(state).toEqual({});
    });

    it("starts a deployment on a free environment, which then is the profile's newest, naming its label", async () => {
      // Prepare
      const { delivery } = make();
      const version = await delivery.ensureHostedVersion(document('aaaa'));

      // Act
      const start = await delivery.startDeployment(deployment(version));
      const state = await delivery.environmentState(target);

      // Assess
      expect(start.status).toBe('started');
      expect(state.latest).toMatchObject({
        deploymentNumber: start.status === 'started' ? start.deploymentNumber : -1,
        versionLabel: 'sha256-aaaa',
      });
    });

    it('answers busy, not an error, while another deployment runs in the environment, and says so in its state', async () => {
      // Prepare
      const { delivery, occupy } = make();
      const version = await delivery.ensureHostedVersion(document('aaaa'));
      occupy('app-orders', 'env-production');

      // Act
      const start = await delivery.startDeployment(deployment(version));
      const state = await delivery.environmentState(target);

      // Assess
      expect(start.status).toBe('busy');
      expect(state.runningDeploymentNumber).toEqual(expect.any(Number));
      expect(state.latest).toBeUndefined();
    });
  });
}
