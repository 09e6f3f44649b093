/**
 * The contract every `DeployedFlagSource` meets, run against the in-memory double and
 * `AppConfigFlagSource` over a simulated AppConfig (hosted versions and per-environment deployments).
 * The factory hands back the source and the acts that change what an environment serves: hosting a
 * version, and deploying one that ends in a given state.
 */
import { describe, expect, it } from 'vitest';
import type { DeployedFlagSource, FlagProfileRef } from '../../functions/ports/flag-source.ts';

export interface DeployedFlagSourceUnderTest {
  readonly source: DeployedFlagSource;
  /** Host a new version of the profile; returns its version number. */
  host(ref: FlagProfileRef, document: unknown): number;
  /** Deploy a hosted version to the environment; the deployment ends in `state`. */
  deploy(ref: FlagProfileRef, environmentId: string, version: number, state?: string): void;
}

const FLAGS: FlagProfileRef = { service: 'orders', applicationId: 'apporders', flagsProfileId: 'flags01' };
/** The same application's document profile: its deployments share the environment. */
const DOCUMENT: FlagProfileRef = { ...FLAGS, flagsProfileId: 'document01' };
const PRODUCTION = { name: 'production', environmentId: 'envprod' };
const STAGING = { name: 'staging', environmentId: 'envstag' };

const flagsDocument = (enabled: boolean) => ({
  version: '1',
  flags: { 'new-checkout': { name: 'new-checkout' } },
  values: { 'new-checkout': { enabled } },
});

export function describeDeployedFlagSourceContract(
  name: string,
  make: () => DeployedFlagSourceUnderTest,
): void {
  describe(`Contract: DeployedFlagSource (${name})`, () => {
    it('says never-deployed for an environment no flags deployment completed in', async () => {
      // Prepare
      const { source, host, deploy } = make();
      deploy(FLAGS, STAGING.environmentId, host(FLAGS, flagsDocument(true)));
      deploy(DOCUMENT, PRODUCTION.environmentId, host(DOCUMENT, { retries: 3 }));

      // Act
      const served = await source.deployed(FLAGS, PRODUCTION);

      // Assess
      expect(served).toEqual({ status: 'never-deployed', skipped: [] });
    });

    it('reads the version of the last complete deployment, not the newest hosted version', async () => {
      // Prepare
      const { source, host, deploy } = make();
      const deployedVersion = host(FLAGS, flagsDocument(false));
      deploy(FLAGS, PRODUCTION.environmentId, deployedVersion);
      host(FLAGS, flagsDocument(true)); // hosted in the console, never deployed
      deploy(DOCUMENT, PRODUCTION.environmentId, host(DOCUMENT, { retries: 3 }));

      // Act
      const served = await source.deployed(FLAGS, PRODUCTION);

      // Assess
      expect(served).toMatchObject({ status: 'deployed', version: deployedVersion, skipped: [] });
      expect(served.status === 'deployed' && served.document).toEqual(flagsDocument(false));
    });

    it('passes over a deployment in progress and a rolled-back one, and lists them newest first', async () => {
      // Prepare
      const { source, host, deploy } = make();
      deploy(FLAGS, PRODUCTION.environmentId, host(FLAGS, flagsDocument(false)));
      deploy(FLAGS, PRODUCTION.environmentId, host(FLAGS, flagsDocument(true)), 'ROLLED_BACK');
      deploy(FLAGS, PRODUCTION.environmentId, host(FLAGS, flagsDocument(true)), 'DEPLOYING');

      // Act
      const served = await source.deployed(FLAGS, PRODUCTION);

      // Assess
      expect(served).toMatchObject({ status: 'deployed', deploymentNumber: 1, version: 1 });
      expect(served.skipped).toEqual([
        { deploymentNumber: 3, version: '3', state: 'DEPLOYING' },
        { deploymentNumber: 2, version: '2', state: 'ROLLED_BACK' },
      ]);
    });

    it('serves a deployment that is baking: it has reached every target and only watches its alarms', async () => {
      // Prepare: the console deployed version 2 and AppConfig is in the final bake
      const { source, host, deploy } = make();
      deploy(FLAGS, PRODUCTION.environmentId, host(FLAGS, flagsDocument(false)));
      deploy(FLAGS, PRODUCTION.environmentId, host(FLAGS, flagsDocument(true)), 'BAKING');

      // Act
      const served = await source.deployed(FLAGS, PRODUCTION);

      // Assess
      expect(served).toMatchObject({ status: 'deployed', deploymentNumber: 2, version: 2, skipped: [] });
      expect(served.status === 'deployed' && served.document).toEqual(flagsDocument(true));
    });

    it('finds a flags deployment behind many document deployments', async () => {
      // Prepare: 120 document deliveries after the flags went out, more than two pages.
      const { source, host, deploy } = make();
      const version = host(FLAGS, flagsDocument(true));
      deploy(FLAGS, PRODUCTION.environmentId, version);
      for (let i = 0; i < 120; i++)
        deploy(DOCUMENT, PRODUCTION.environmentId, host(DOCUMENT, { retries: i }));

      // Act
      const served = await source.deployed(FLAGS, PRODUCTION);

      // Assess
      expect(served).toMatchObject({ status: 'deployed', deploymentNumber: 1, version });
    });
  });
}
