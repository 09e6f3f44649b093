/**
 * Wires a consumer Lambda to its service's configuration: the AWS AppConfig Agent Lambda extension
 * layer for the function's region and architecture, the extension's prefetch list and poll interval,
 * the `STEWARD_APPCONFIG_*` variables the client reads, and `StartConfigurationSession` /
 * `GetLatestConfiguration` on exactly the service's two profiles in one environment.
 */
import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { killSwitchDestination } from '../../functions/core/flags/kill-switch-destination.ts';
import type { KillSwitchTargets } from '../../functions/core/flags/kill-switch-targets.ts';
import { appConfigArn } from '../appconfig-access.ts';
import type { ConfigDelivery } from './config-delivery.ts';

/** The AppConfig Agent Lambda extension version the table below lists. */
export const APPCONFIG_EXTENSION_VERSION = '2.0.17054.0';

/**
 * Layer ARNs of AppConfig Agent Lambda extension {@link APPCONFIG_EXTENSION_VERSION} per region:
 * the publishing account and the layer version for `AWS-AppConfig-Extension` (x86_64) and
 * `AWS-AppConfig-Extension-Arm64`. Source: "Understanding available versions of the AWS AppConfig
 * Agent Lambda extension", AWS AppConfig User Guide
 * (https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-lambda-extensions-versions.html).
 * Update the version and every row together.
 */
export const APPCONFIG_EXTENSION_LAYERS: Readonly<
  Record<string, { readonly account: string; readonly x86_64: number; readonly arm64: number }>
> = {
  'us-east-1': { account: '027255383542', x86_64: 321, arm64: 254 },
  'us-east-2': { account: '728743619870', x86_64: 277, arm64: 229 },
  'us-west-1': { account: '958113053741', x86_64: 395, arm64: 272 },
  'us-west-2': { account: '359756378197', x86_64: 373, arm64: 275 },
  'ca-central-1': { account: '039592058896', x86_64: 262, arm64: 182 },
  'ca-west-1': { account: '436199621743', x86_64: 172, arm64: 162 },
  'eu-central-1': { account: '066940009817', x86_64: 295, arm64: 238 },
  'eu-central-2': { account: '758369105281', x86_64: 220, arm64: 178 },
  'eu-west-1': { account: '434848589818', x86_64: 303, arm64: 241 },
  'eu-west-2': { account: '282860088358', x86_64: 242, arm64: 194 },
  'eu-west-3': { account: '493207061005', x86_64: 273, arm64: 192 },
  'eu-north-1': { account: '646970417810', x86_64: 367, arm64: 226 },
  'eu-south-1': { account: '203683718741', x86_64: 249, arm64: 177 },
  'eu-south-2': { account: '586093569114', x86_64: 214, arm64: 175 },
  'ap-east-1': { account: '630222743974', x86_64: 254, arm64: 182 },
  'ap-northeast-1': { account: '980059726660', x86_64: 272, arm64: 225 },
  'ap-northeast-2': { account: '826293736237', x86_64: 273, arm64: 181 },
  'ap-northeast-3': { account: '706869817123', x86_64: 272, arm64: 187 },
  'ap-southeast-1': { account: '421114256042', x86_64: 258, arm64: 210 },
  'ap-southeast-2': { account: '080788657173', x86_64: 313, arm64: 256 },
  'ap-southeast-3': { account: '418787028745', x86_64: 256, arm64: 193 },
  'ap-southeast-4': { account: '307021474294', x86_64: 188, arm64: 173 },
  'ap-south-1': { account: '554480029851', x86_64: 290, arm64: 232 },
  'ap-south-2': { account: '489524808438', x86_64: 217, arm64: 175 },
  'sa-east-1': { account: '000010852771', x86_64: 327, arm64: 215 },
  'af-south-1': { account: '574348263942', x86_64: 260, arm64: 188 },
  'il-central-1': { account: '895787185223', x86_64: 188, arm64: 171 },
  'me-central-1': { account: '662846165436', x86_64: 212, arm64: 168 },
  'me-south-1': { account: '559955524753', x86_64: 254, arm64: 182 },
};

export type ExtensionArchitecture = 'x86_64' | 'arm64';

/** Synth fails with this when the region has no row in {@link APPCONFIG_EXTENSION_LAYERS}. */
export class UnsupportedRegionError extends Error {
  constructor(region: string) {
    super(
      `config-consumer: no AppConfig Agent Lambda extension ${APPCONFIG_EXTENSION_VERSION} layer is listed for region ` +
        `"${region}"; supported: ${Object.keys(APPCONFIG_EXTENSION_LAYERS).join(', ')}. ` +
        'Add the row from the AWS AppConfig documentation to APPCONFIG_EXTENSION_LAYERS.',
    );
    this.name = 'UnsupportedRegionError';
  }
}

/**
 * The extension layer ARN for a concrete region and architecture.
 *
 * @throws UnsupportedRegionError for a region the table does not list
 * @example
 * appConfigExtensionLayerArn('eu-west-1', 'arm64');
 * // arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:241
 */
export function appConfigExtensionLayerArn(region: string, architecture: ExtensionArchitecture): string {
  const row = APPCONFIG_EXTENSION_LAYERS[region];
  if (!row) throw new UnsupportedRegionError(region);
  const layer = architecture === 'arm64' ? 'AWS-AppConfig-Extension-Arm64' : 'AWS-AppConfig-Extension';
  return `arn:aws:lambda:${region}:${row.account}:layer:${layer}:${row[architecture]}`;
}

export interface ConfigConsumerProps {
  /** The AppConfig resources the consumers read. */
  readonly delivery: ConfigDelivery;
  /**
   * How often the extension polls AppConfig and the client re-reads the extension, in seconds.
   * @default 45
   */
  readonly pollIntervalSeconds?: number;
  /**
   * The kill-switch profiles and environments (KillSwitches' `targets`): a consumer of a service with
   * switches reads them too, through the same flags calls.
   * @default none
   */
  readonly killSwitches?: KillSwitchTargets;
}

/**
 * @example
 * const consumers = new ConfigConsumer(this, 'Consumers', { delivery });
 * consumers.grantConfig(ordersApi.fn, 'orders', 'production');
 */
export class ConfigConsumer extends Construct {
  public readonly delivery: ConfigDelivery;
  public readonly pollIntervalSeconds: number;
  /** Every function given a service's configuration, with that service and environment (the dashboard's consumers). */
  public readonly consumers: { fn: lambda.Function; service: string; environment: string }[] = [];
  private readonly killSwitches: KillSwitchTargets | undefined;
  private readonly wired = new Map<lambda.Function, string>();

  constructor(scope: Construct, id: string, props: ConfigConsumerProps) {
    super(scope, id);
    this.delivery = props.delivery;
    this.pollIntervalSeconds = props.pollIntervalSeconds ?? 45;
    this.killSwitches = props.killSwitches;
  }

  /**
   * Give a function its service's configuration in one environment: the extension layer, the
   * environment variables, and read access to the two profiles there and nowhere else.
   *
   * @throws when the service or environment is unknown, the function already reads another
   *   service or environment, or its region has no extension layer
   */
  grantConfig(fn: lambda.Function, service: string, environment: string): iam.Grant {
    const target = this.delivery.targets[service];
    if (!target)
      throw new Error(
        `config-consumer: unknown service "${service}" (known: ${Object.keys(this.delivery.targets).join(', ')})`,
      );
    const env = target.environments[environment];
    if (!env) {
      throw new Error(
        `config-consumer: unknown environment "${environment}" (known: ${Object.keys(target.environments).join(', ')})`,
      );
    }
    const wiredTo = this.wired.get(fn);
    const key = `${service}/${environment}`;
    if (wiredTo !== undefined && wiredTo !== key) {
      throw new Error(
        `config-consumer: ${fn.node.path} already reads ${wiredTo}; one function reads one service in one environment`,
      );
    }
    const stack = Stack.of(this);
    const profileArn = (profile: string, environmentId = env.environmentId) =>
      appConfigArn(stack, `${target.applicationId}/environment/${environmentId}/configuration/${profile}`);
    // The service's kill switches, in their own environment: read with the flags (loadFlags).
    const switches = this.killSwitches && killSwitchDestination(this.killSwitches, service, environment);
    const grant = () =>
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
        resourceArns: [
          profileArn(target.documentProfileId),
          profileArn(target.flagsProfileId),
          ...(switches ? [profileArn(switches.profileId, switches.environmentId)] : []),
        ],
      });
    if (wiredTo === key) return grant();
    this.wired.set(fn, key);
    this.consumers.push({ fn, service, environment });

    fn.addLayers(lambda.LayerVersion.fromLayerVersionArn(fn, 'AppConfigExtension', extensionLayerArn(fn)));
    const path = (profile: string, environmentId = env.environmentId) =>
      `/applications/${target.applicationId}/environments/${environmentId}/configurations/${profile}`;
    const seconds = String(this.pollIntervalSeconds);
    const prefetch = [path(target.documentProfileId), path(target.flagsProfileId)];
    if (switches) {
      prefetch.push(path(switches.profileId, switches.environmentId));
      fn.addEnvironment('STEWARD_APPCONFIG_SWITCHES_ENVIRONMENT', switches.environmentId);
      fn.addEnvironment('STEWARD_APPCONFIG_SWITCHES_PROFILE', switches.profileId);
    }
    fn.addEnvironment('AWS_APPCONFIG_EXTENSION_PREFETCH_LIST', prefetch.join(','));
    fn.addEnvironment('AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS', seconds);
    fn.addEnvironment('STEWARD_APPCONFIG_APPLICATION', target.applicationId);
    fn.addEnvironment('STEWARD_APPCONFIG_ENVIRONMENT', env.environmentId);
    fn.addEnvironment('STEWARD_APPCONFIG_PROFILE', target.documentProfileId);
    fn.addEnvironment('STEWARD_APPCONFIG_FLAGS_PROFILE', target.flagsProfileId);
    fn.addEnvironment('STEWARD_CONFIG_POLL_SECONDS', seconds);
    return grant();
  }
}

/**
 * The layer for the function's stack region: looked up at synth for a concrete region (unknown
 * regions fail synth), through a CloudFormation mapping for an environment-agnostic stack.
 */
function extensionLayerArn(fn: lambda.Function): string {
  const architecture: ExtensionArchitecture = fn.architecture.name === 'arm64' ? 'arm64' : 'x86_64';
  const stack = Stack.of(fn);
  if (!Token.isUnresolved(stack.region)) return appConfigExtensionLayerArn(stack.region, architecture);
  const id = 'AppConfigExtensionLayers';
  const mapping =
    (stack.node.tryFindChild(id) as CfnMapping | undefined) ??
    new CfnMapping(stack, id, {
      mapping: Object.fromEntries(
        Object.keys(APPCONFIG_EXTENSION_LAYERS).map((region) => [
          region,
          {
            x8664: appConfigExtensionLayerArn(region, 'x86_64'),
            arm64: appConfigExtensionLayerArn(region, 'arm64'),
          },
        ]),
      ),
    });
  return mapping.findInMap(Aws.REGION, architecture === 'arm64' ? 'arm64' : 'x8664');
}
