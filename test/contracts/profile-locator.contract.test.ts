import {
  AppConfigClient,
  GetApplicationCommand,
  GetConfigurationProfileCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigProfileLocator } from '../../functions/adapters/appconfig-delivery.ts';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { DOCUMENT_PROFILE_NAME, FEATURE_FLAGS_PROFILE_TYPE } from '../../functions/core/names.ts';
import { targetsLocator } from '../../functions/core/validation/appconfig-document.ts';
import { describeProfileLocatorContract } from './profile-locator.contract.ts';

describeProfileLocatorContract('targetsLocator', (world) => {
  const targets: AppConfigTargets = Object.fromEntries(
    Object.entries(world.services).map(([service, ids]) => [service, { ...ids, environments: {} }]),
  );
  return targetsLocator(targets);
});

const PREFIX = 'acme-';

describeProfileLocatorContract('AppConfigProfileLocator', (world) => {
  // AppConfig as the locator meets it: applications named `<prefix><service>` by the stack, each
  // profile reachable only under its own application, a missing one a ResourceNotFoundException.
  const applications = new Map<string, string>();
  const profiles = new Map<string, { Name: string; Type: string }>();
  const at = (applicationId: string, profileId: string) => `${applicationId}/${profileId}`;
  for (const [service, ids] of Object.entries(world.services)) {
    applications.set(ids.applicationId, `${PREFIX}${service}`);
    profiles.set(at(ids.applicationId, ids.documentProfileId), {
      Name: DOCUMENT_PROFILE_NAME,
      Type: 'AWS.Freeform',
    });
    profiles.set(at(ids.applicationId, ids.flagsProfileId), {
      Name: 'flags',
      Type: FEATURE_FLAGS_PROFILE_TYPE,
    });
  }
  profiles.set(at(world.extraProfile.applicationId, world.extraProfile.profileId), {
    Name: 'settings',
    Type: 'AWS.Freeform',
  });
  applications.set(world.foreign.applicationId, 'other-team-app');
  profiles.set(at(world.foreign.applicationId, world.foreign.profileId), {
    Name: DOCUMENT_PROFILE_NAME,
    Type: 'AWS.Freeform',
  });
  const notFound = () => new ResourceNotFoundException({ message: 'not found', $metadata: {} });

  const client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const appConfig = mockClient(client);
  appConfig.on(GetApplicationCommand).callsFake(async (input) => {
    const name = applications.get(input.ApplicationId!);
    if (name === undefined) throw notFound();
    return { Id: input.ApplicationId, Name: name };
  });
  appConfig.on(GetConfigurationProfileCommand).callsFake(async (input) => {
    const profile = profiles.get(at(input.ApplicationId!, input.ConfigurationProfileId!));
    if (!profile) throw notFound();
    return { ApplicationId: input.ApplicationId, Id: input.ConfigurationProfileId, ...profile };
  });
  return new AppConfigProfileLocator(client, PREFIX);
});
