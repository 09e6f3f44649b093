/**
 * The function defaults every Steward Lambda shares: Node.js 22 on ARM64, ESM bundled and minified by
 * the local esbuild with code splitting and opt-in source maps (lib/bundling.ts), active tracing, an explicit
 * log group with retention, the Powertools environment, the runtime settings, and one failure channel:
 * a dead-letter queue for asynchronous invocations, or, for a function fed by an SQS event source
 * mapping, its source queue's redrive policy (a Lambda DLQ never sees those records).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { METRICS_NAMESPACE } from '../../functions/core/names.ts';
import { ENTRY_FILE, lambdaBundleOptions, SOURCE_MAPS_NODE_OPTIONS, trimSourceMaps } from '../bundling.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import { environmentBytes, LAMBDA_ENVIRONMENT_BYTES } from '../resolved-size.ts';
import { runtimeEnvironment, type Settings } from '../settings.ts';

/** The repository root, where `functions/` and `package-lock.json` live. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface StewardFunctionProps {
  /** Handler file relative to the project root, e.g. `functions/handlers/validate-change.ts`. */
  readonly entry: string;
  readonly settings: Settings;
  readonly description?: string;
  /** Extra environment variables, on top of the runtime settings. */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Run in the settings' VPC (for functions that reach a database). @default false */
  readonly inVpc?: boolean;
  /**
   * The function consumes an SQS queue through an event source mapping: failed records go to that
   * queue's dead-letter queue, so the function gets no failure queue of its own.
   * @default false
   */
  readonly consumesQueue?: boolean;
}

/**
 * @example
 * const validator = new StewardFunction(this, 'ValidateChange', {
 *   entry: 'functions/handlers/validate-change.ts',
 *   settings,
 * });
 * bus.grantPutEventsTo(validator.fn);
 */
export class StewardFunction extends Construct {
  public readonly fn: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /**
   * Receives asynchronous invocations that failed after Lambda's retries (the event as its body, the
   * error in its attributes); undefined for a queue consumer (see `consumesQueue`).
   */
  public readonly failureQueue?: sqs.Queue;
  /** Powertools' `service`: the dimension of every metric the function emits (`config-steward-<entry name>`). */
  public readonly serviceName: string;

  constructor(scope: Construct, id: string, props: StewardFunctionProps) {
    super(scope, id);
    const name = path.basename(props.entry, '.ts');
    this.serviceName = `config-steward-${name}`;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.settings.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.failureQueue = props.consumesQueue
      ? undefined
      : new sqs.Queue(this, 'FailureQueue', {
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    const vpcSettings = props.inVpc ? props.settings.vpc : undefined;
    const vpc = vpcSettings
      ? ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
          vpcId: vpcSettings.vpcId,
          availabilityZones: vpcSettings.availabilityZones,
          privateSubnetIds: vpcSettings.subnetIds,
        })
      : undefined;
    if (vpcSettings) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          // EC2 network-interface actions used by Lambda's VPC attachment support no resource scoping.
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DeleteNetworkInterface',
          ],
          resources: ['*'],
        }),
      );
    }

    this.fn = new lambda.Function(this, 'Function', {
      code: bundledCode(props.entry, props.settings.sourceMaps),
      handler: `${path.basename(ENTRY_FILE, '.mjs')}.handler`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      // One failure channel: a dead-letter queue (not also an onFailure destination to the same queue,
      // which delivered every failed event twice, in two shapes).
      deadLetterQueue: this.failureQueue,
      retryAttempts: props.consumesQueue ? undefined : 2,
      vpc,
      vpcSubnets: vpc ? { subnets: vpc.privateSubnets } : undefined,
      securityGroups: vpcSettings?.securityGroupIds.map((sg, i) =>
        ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, sg),
      ),
      environment: {
        ...(props.settings.sourceMaps ? { NODE_OPTIONS: SOURCE_MAPS_NODE_OPTIONS } : {}),
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...runtimeEnvironment(props.settings),
        ...props.environment,
      },
    });

    // Lambda refuses a function whose variables exceed 4 KB only at deploy time: refuse it at synth,
    // once every construct has added its variables.
    this.node.addValidation({ validate: () => this.environmentTooLarge() });

    acknowledgeWildcardGrant(this.role, {
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      resources: ['*'],
      reason:
        'Active tracing: X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
    });
    if (vpcSettings) {
      acknowledgeWildcardGrant(this.role, {
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
        ],
        resources: ['*'],
        reason:
          "Lambda's VPC attachment: the network interfaces are created at run time, so their ids cannot be named, " +
          'and DescribeNetworkInterfaces supports no resource-level permissions (as in AWSLambdaVPCAccessExecutionRole).',
      });
    }
    Validations.of(this.fn).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime the platform is built and tested on (DESIGN.md); a runtime move is a tested change.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'Node.js 22 is the runtime the platform is built and tested on (DESIGN.md); a runtime move is a tested change.',
      },
    );
    if (this.failureQueue) {
      Validations.of(this.fn).acknowledge({
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason:
          'One failure channel: the dead-letter queue receives each failed asynchronous invocation; an onFailure ' +
          'destination to the same queue delivered every failure twice, in two shapes.',
      });
      Validations.of(this.failureQueue).acknowledge(
        { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the function.' },
        {
          id: 'Serverless-SQSRedrivePolicy',
          reason:
            'This queue is itself the dead-letter queue of the function; a DLQ of a DLQ would only move the problem.',
        },
      );
    } else {
      Validations.of(this.fn).acknowledge(
        {
          id: 'Serverless-LambdaDLQ',
          reason:
            "Invoked only by an SQS event source mapping: failed records go to the source queue's dead-letter " +
            'queue through its redrive policy; a function DLQ applies to asynchronous invocations only.',
        },
        {
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            'SQS event source mappings take no on-failure destination (streams do): a record that keeps failing ' +
            "moves to the queue's dead-letter queue through its redrive policy.",
        },
      );
    }
  }

  /** Lambda's 4 KB for all variables, CloudFormation references counted at their resolved size, generously. */
  private environmentTooLarge(): string[] {
    const cfn = this.fn.node.defaultChild as lambda.CfnFunction;
    const environment = Stack.of(this).resolve(cfn.environment) as
      { variables?: Record<string, unknown> } | undefined;
    const bytes = environmentBytes(this, environment?.variables ?? {});
    if (bytes <= LAMBDA_ENVIRONMENT_BYTES) return [];
    return [
      `${this.serviceName}: its environment variables take about ${bytes.toLocaleString('en-US')} bytes once ` +
        `deployed (CloudFormation references counted generously), over Lambda's ` +
        `${LAMBDA_ENVIRONMENT_BYTES.toLocaleString('en-US')} for all of a function's variables; Lambda would ` +
        'refuse it at deploy time. Pass large values another way (the AppConfig ids travel in parameters).',
    ];
  }
}

/**
 * The handler bundled by the local esbuild at synth time (no Docker), hashed by its output so an
 * unchanged bundle is not uploaded again. Skipped, like every CDK bundling, for stacks outside
 * `aws:cdk:bundling-stacks`.
 */
function bundledCode(entry: string, sourcemap: boolean): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Only used if local bundling declined, which it never does: it succeeds or throws.
      image: lambda.Runtime.NODEJS_22_X.bundlingImage,
      local: new LocalEsbuild(entry, sourcemap),
    },
  });
}

/**
 * CDK reuses a bundle within one synth when the JSON of the bundling options is equal; entry and
 * source maps are properties so they are part of that JSON (a closure is not), and each function
 * gets its own bundle.
 */
class LocalEsbuild implements ILocalBundling {
  constructor(
    public readonly entry: string,
    public readonly sourcemap: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    buildSync(
      lambdaBundleOptions(path.join(PROJECT_ROOT, this.entry), outputDir, {
        sourcemap: this.sourcemap,
        absWorkingDir: PROJECT_ROOT,
      }),
    );
    if (this.sourcemap) trimSourceMaps(outputDir, PROJECT_ROOT);
    return true;
  }
}
