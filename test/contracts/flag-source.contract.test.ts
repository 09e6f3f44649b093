import {
  AppConfigClient,
  AppConfigServiceException,
  GetHostedConfigurationVersionCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigFlagSource } from '../../functions/adapters/appconfig-flag-source.ts';
import { InMemoryFlagSource } from '../support/flag-source-double.ts';
import { describeFlagSourceContract } from './flag-source.contract.ts';
import { bytes } from '../support/appconfig-content.ts';

describeFlagSourceContract('InMemoryFlagSource', () => {
  const source = new InMemoryFlagSource();
  return { source, host: (ref, document) => source.hostRaw(ref.service, document) };
});

describeFlagSourceContract('AppConfigFlagSource', () => {
  // Hosted versions per application and profile, answered as AppConfig's control plane does: pages of
  // at most MaxResults, newest first (AWS documents no order; the adapter must not rely on one).
  const hosted = new Map<string, string[]>();
  const keyOf = (applicationId?: string, profileId?: string) => `${applicationId}/${profileId}`;
  const client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const appConfig = mockClient(client);
  appConfig.on(ListHostedConfigurationVersionsCommand).callsFake(async (input) => {
    const versions = hosted.get(keyOf(input.ApplicationId, input.ConfigurationProfileId)) ?? [];
    const numbers = versions.map((_, i) => i + 1).reverse();
    const start = Number(input.NextToken ?? 0);
    const size = input.MaxResults ?? 50;
    return {
      Items: numbers.slice(start, start + size).map((VersionNumber) => ({ VersionNumber })),
      NextToken: start + size < numbers.length ? String(start + size) : undefined,
    };
  });
  appConfig.on(GetHostedConfigurationVersionCommand).callsFake(async (input) => {
    const content = hosted.get(keyOf(input.ApplicationId, input.ConfigurationProfileId))?.[
      input.VersionNumber! - 1
    ];
    if (content === undefined) {
      throw new AppConfigServiceException({
        name: 'ResourceNotFoundException',
        $fault: 'client',
        $metadata: {},
        message: 'no such version',
      });
    }
    return {
      VersionNumber: input.VersionNumber,
      Content: bytes(content),
    };
  });
  return {
    source: new AppConfigFlagSource(client),
    host: (ref, document) => {
      const key = keyOf(ref.applicationId, ref.flagsProfileId);
      hosted.set(key, [...(hosted.get(key) ?? []), JSON.stringify(document)]);
    },
  };
});
