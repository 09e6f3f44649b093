/**
 * Brings the desired plain parameters from `config/` into Parameter Store through one custom resource
 * instead of one CloudFormation resource per parameter: an organisation of 50 services × 30 keys ×
 * 3 environments has 4,500 parameters, far over CloudFormation's 500 resources a stack. The
 * reconcile function writes only what differs, rate-limited; `steward apply` runs the same core.
 * Then it requests the delivery of the documents and the flags: the one path by which either reaches
 * AppConfig.
 */
import { createHash } from 'node:crypto';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_QUEUE_URL_ENV } from '../../functions/core/names.ts';
import type { SchemaRegistry } from '../../functions/core/registry.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import { grantReadOverrides } from '../override-access.ts';
import type { Settings } from '../settings.ts';
import type { ConfigDelivery } from './config-delivery.ts';
import { StewardFunction } from './steward-function.ts';

export interface DesiredParametersProps {
  readonly settings: Settings;
  readonly registry: SchemaRegistry;
  /**
   * PutParameter calls per second. Parameter Store's write throughput is shared by the whole account
   * and region; stay well under it.
   * @default 10
   */
  readonly writesPerSecond?: number;
  /**
   * The delivery queue: after its last write the reconcile requests one delivery per (service,
   * environment) it wrote to, or that `appConfig`'s hashes say to deliver (change-delivery.ts).
   * @default - no delivery requested
   */
  readonly deliveryQueue?: sqs.IQueue;
  /**
   * The AppConfig resources whose documents and flags the reconcile's delivery deploys. The custom
   * resource carries their config/ hashes (so an Update requests the documents and flags config/
   * changed, and a Create all of them) and is created after them, so the deliveries it asks for find
   * their applications, environments and profiles.
   * @default - no documents or flags (only the written parameters' deliveries)
   */
  readonly appConfig?: ConfigDelivery;
}

export class DesiredParameters extends Construct {
  public readonly reconciler: StewardFunction;
  public readonly resource: CustomResource;
  /** How many desired plain parameters the template's custom resource stands for. */
  public readonly parameterCount: number;

  constructor(scope: Construct, id: string, props: DesiredParametersProps) {
    super(scope, id);
    const desired = props.registry.desiredParameters().filter((p) => p.parameterType === 'String');
    this.parameterCount = desired.length;

    this.reconciler = new StewardFunction(this, 'Reconciler', {
      entry: 'functions/handlers/reconcile-parameters.ts',
      settings: props.settings,
      description: 'Writes the desired plain parameters from config/ that differ from Parameter Store',
      timeout: Duration.minutes(15),
    });
    const stack = Stack.of(this);
    const underRoot = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${props.settings.parameterRoot}/*`,
    });
    this.reconciler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParametersByPath', 'ssm:PutParameter'],
        resources: [underRoot],
      }),
    );

    // An active break-glass override is not overwritten: the reconcile reads them.
    grantReadOverrides(this.reconciler.role, props.settings.parameterRoot);

    if (props.deliveryQueue) {
      this.reconciler.fn.addEnvironment(DELIVERY_QUEUE_URL_ENV, props.deliveryQueue.queueUrl);
      props.deliveryQueue.grantSendMessages(this.reconciler.role);
    }

    acknowledgeWildcardGrant(this.reconciler.role, {
      actions: ['ssm:GetParametersByPath', 'ssm:PutParameter'],
      resources: [underRoot],
      reason:
        'The reconciler reads and writes the desired parameters of every service and environment, which are ' +
        'exactly the parameters under the Steward root; it can neither read nor write outside it.',
    });

    this.resource = new CustomResource(this, 'Reconcile', {
      serviceToken: this.reconciler.fn.functionArn,
      resourceType: 'Custom::StewardDesiredParameters',
      properties: {
        // Changes whenever a desired value changes, so CloudFormation runs an Update.
        DesiredStateSha256: createHash('sha256').update(JSON.stringify(desired)).digest('hex'),
        ParameterCount: desired.length,
        WritesPerSecond: props.writesPerSecond ?? 10,
        ...(props.appConfig && {
          DocumentSha256: props.appConfig.documentSha256,
          FlagsSha256: props.appConfig.flagsSha256,
        }),
      },
    });
    if (props.appConfig) this.resource.node.addDependency(props.appConfig);
  }
}
