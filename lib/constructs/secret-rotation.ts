/**
 * Secret rotation: the managed secrets declared in `config/`, the rotate-secret function, one
 * rotation schedule per secret, and an alarm on failed rotations.
 *
 * - Secrets are created as `<root>/<environment>/<service>/<secret>` with generated initial values
 *   (`GenerateSecretString`), so no value is ever in the template.
 * - A PostgreSQL secret starts as `{ engine, host, port, dbname, username, password, masterarn }`:
 *   the endpoint from the secret's `database` in `config/` (for its environment), a generated
 *   password, and `masterarn` holding the master secret's name (or ARN). Create the role
 *   `<username>` with that password (and grant it its group roles) before the first rotation; the
 *   alternating strategy creates `<username>_clone` itself. A PostgreSQL secret without an endpoint,
 *   or without a `vpc` in the settings, fails the synth (ConfigurationError) instead of deploying a
 *   secret whose first rotation cannot work.
 * - Schedules use the L1 `AWS::SecretsManager::RotationSchedule`: the L2 `addRotationSchedule` only
 *   takes `automaticallyAfter`, and `config/` speaks `rate(...)` and `cron(...)` with a window.
 * - `RotateImmediatelyOnUpdate` is false: CloudFormation's default (true) rotates every time a
 *   schedule is created or changed, i.e. on the first deploy of a secret (before anyone created its
 *   database user, so the rotation would fail) and on every schedule edit, changing credentials in
 *   the middle of deployments. Rotations run on the schedule, or on demand with
 *   `aws secretsmanager rotate-secret`.
 * - Network: when the settings give a VPC and a PostgreSQL secret exists, the function runs in it (it
 *   must reach the databases). From private subnets it reaches Secrets Manager through an interface
 *   endpoint with private DNS (`secretsEndpoint: true` creates one; otherwise provide one or a NAT),
 *   and likewise EventBridge (`events`) and, for OpsCenter tickets, Systems Manager (`ssm`). The
 *   subnets' security group must allow outbound 443 to the endpoint and 5432 to the databases.
 */
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConfigurationError } from '../../functions/core/errors.ts';
import type { Organisation, SecretDefinition } from '../../functions/core/model.ts';
import { METRICS_NAMESPACE, ROTATION_FAILED_METRIC } from '../../functions/core/names.ts';
import {
  isPostgresStrategy,
  postgresNetworkProblem,
  type EndpointCheckOptions,
  resolveDatabaseEndpoint,
} from '../../functions/core/rotation/database-endpoint.ts';
import {
  type DeclaredSecret,
  declaredSecrets,
  isSecretArn,
  masterSecretName,
} from '../../functions/core/rotation/naming.ts';
import { secretArnByName } from '../arns.ts';
import type { Settings } from '../settings.ts';
import { StewardFunction } from './steward-function.ts';
import { grantTicketAccess } from './ticket-access.ts';

export const ROTATE_SECRET_ENTRY = 'functions/handlers/rotate-secret.ts';

export interface SecretRotationProps {
  readonly settings: Settings;
  readonly organisation: Organisation;
  /** The Steward bus the function publishes on. @default the bus named in the settings */
  readonly bus?: events.IEventBus;
  /** TLS towards PostgreSQL: `verify-full` uses the CA bundle of the Lambda runtime, which includes RDS's. @default 'verify-full' */
  readonly postgresTls?: 'verify-full' | 'require' | 'disable';
  /** Create a Secrets Manager interface endpoint in the settings' VPC. @default false */
  readonly secretsEndpoint?: boolean;
  /** Failed rotation steps in 5 minutes that raise the alarm. @default 1 */
  readonly alarmThreshold?: number;
}

/**
 * @example
 * const rotation = new SecretRotation(this, 'SecretRotation', { settings, organisation, bus });
 * rotation.secrets.get('config/production/orders/db')?.grantRead(ordersFunction);
 */
export class SecretRotation extends Construct {
  /** The managed secrets by name. */
  public readonly secrets: ReadonlyMap<string, secretsmanager.Secret>;
  public readonly schedules: ReadonlyMap<string, secretsmanager.CfnRotationSchedule>;
  public readonly rotationFunction: StewardFunction;
  public readonly failureAlarm: cloudwatch.Alarm;
  public readonly failureMetric: cloudwatch.Metric;
  /** Present when `secretsEndpoint` is set and the function runs in a VPC. */
  public readonly secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    super(scope, id);
    const { settings } = props;
    const stack = Stack.of(this);
    const root = settings.parameterRoot;
    const tls = props.postgresTls ?? 'verify-full';
    const endpoints: EndpointCheckOptions = { verifiedTls: tls === 'verify-full' };
    const declared = validateSecretRotation(settings, props.organisation, endpoints);
    const inVpc = declared.some((s) => isPostgresStrategy(s.definition));

    this.rotationFunction = new StewardFunction(this, 'RotateSecret', {
      entry: ROTATE_SECRET_ENTRY,
      settings,
      description: 'Secrets Manager rotation function for the secrets declared in config/',
      timeout: Duration.minutes(1),
      inVpc,
      environment: {
        STEWARD_POSTGRES_SSL: tls,
        // The Lambda runtime's bundle of Amazon CAs, RDS's among them.
        ...(tls === 'verify-full' ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
      },
    });
    const fn = this.rotationFunction.fn;
    const role = this.rotationFunction.role;

    const invokePermission = new lambda.CfnPermission(this, 'SecretsManagerInvoke', {
      functionName: fn.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      action: 'lambda:InvokeFunction',
      // Only this account's secrets may have Secrets Manager invoke the function.
      sourceAccount: stack.account,
    });

    const secrets = new Map<string, secretsmanager.Secret>();
    const schedules = new Map<string, secretsmanager.CfnRotationSchedule>();
    for (const secret of declared) {
      const logical = constructId(secret);
      const created = new secretsmanager.Secret(this, logical, {
        secretName: secret.name,
        description: secret.definition.description,
        generateSecretString: initialValue(secret, root, endpoints),
      });
      const schedule = new secretsmanager.CfnRotationSchedule(this, `${logical}Schedule`, {
        secretId: created.secretArn,
        rotationLambdaArn: fn.functionArn,
        rotationRules: {
          scheduleExpression: secret.definition.rotation.schedule,
          ...(secret.definition.rotation.window ? { duration: secret.definition.rotation.window } : {}),
        },
        rotateImmediatelyOnUpdate: false,
      });
      // Secrets Manager checks it may invoke the function when the schedule is created.
      schedule.node.addDependency(invokePermission);
      secrets.set(secret.name, created);
      schedules.set(secret.name, schedule);
    }
    this.secrets = secrets;
    this.schedules = schedules;

    if (secrets.size > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'RotateManagedSecrets',
          actions: [
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecretVersionStage',
          ],
          resources: [...secrets.values()].map((s) => s.secretArn),
        }),
      );
    }
    const masters = [
      ...new Set(declared.map((s) => masterSecretName(s, root)).filter((n): n is string => !!n)),
    ];
    if (masters.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadMasterSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          // An ARN names exactly one secret; a name matches the six characters Secrets Manager appends.
          resources: masters.map((id) => (isSecretArn(id) ? id : secretArnByName(stack, id))),
        }),
      );
    }
    (props.bus ?? events.EventBus.fromEventBusName(this, 'Bus', settings.eventBus.name)).grantPutEventsTo(
      role,
    );
    grantTicketAccess(role, settings);

    if (inVpc && props.secretsEndpoint && settings.vpc) {
      const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: settings.vpc.vpcId,
        availabilityZones: settings.vpc.availabilityZones,
        privateSubnetIds: settings.vpc.subnetIds,
      });
      this.secretsManagerEndpoint = new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
        vpc,
        service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        subnets: { subnets: vpc.privateSubnets },
        securityGroups: settings.vpc.securityGroupIds.map((sg, i) =>
          ec2.SecurityGroup.fromSecurityGroupId(this, `EndpointSecurityGroup${i}`, sg),
        ),
        privateDnsEnabled: true,
        // The given security groups already govern the subnets; opening them to the VPC CIDR needs a
        // CIDR the imported VPC does not carry. They must allow 443 from the function's group.
        open: false,
      });
    }

    this.failureMetric = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: ROTATION_FAILED_METRIC,
      dimensionsMap: { service: `config-steward-${path.basename(ROTATE_SECRET_ENTRY, '.ts')}` },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    });
    this.failureAlarm = new cloudwatch.Alarm(this, 'RotationFailedAlarm', {
      alarmDescription: 'A secret rotation step failed; Secrets Manager retries, and a ticket was filed.',
      metric: this.failureMetric,
      threshold: props.alarmThreshold ?? 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/**
 * Fail, naming the secret or the setting, on what would deploy secrets that cannot rotate: a schedule
 * Secrets Manager refuses, a PostgreSQL secret without its database, or no `vpc` to reach it. The
 * stack calls it before it builds anything, so a mistake in `config/` leaves no bundle behind.
 *
 * @example
 * const declared = validateSecretRotation(settings, organisation);
 */
export function validateSecretRotation(
  settings: Settings,
  organisation: Organisation,
  endpoints: EndpointCheckOptions = {},
): DeclaredSecret[] {
  const declared = declaredSecrets(
    organisation,
    settings.parameterRoot,
    settings.environments.map((e) => e.name),
  );
  for (const secret of declared) validateRotation(secret);
  const network = postgresNetworkProblem(declared, settings.vpc);
  if (network) throw new ConfigurationError(network);
  for (const secret of declared.filter((s) => isPostgresStrategy(s.definition))) {
    resolveDatabaseEndpoint(secret, endpoints);
  }
  return declared;
}

function constructId(secret: DeclaredSecret): string {
  return [secret.environment, secret.service, secret.secret]
    .map((part) => part.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase()))
    .join('');
}

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function initialValue(
  secret: DeclaredSecret,
  root: string,
  endpoints: EndpointCheckOptions,
): secretsmanager.SecretStringGenerator {
  const { definition } = secret;
  if (definition.rotation.strategy === 'random') {
    const spec = definition.random as NonNullable<SecretDefinition['random']>;
    return {
      secretStringTemplate: '{}',
      generateStringKey: spec.field,
      passwordLength: spec.length,
      excludeCharacters: excludedFor(spec.alphabet),
      includeSpace: false,
      requireEachIncludedType: false,
    };
  }
  const { host, port, dbname, username } = resolveDatabaseEndpoint(secret, endpoints);
  return {
    secretStringTemplate: JSON.stringify({
      engine: 'postgres',
      host,
      port,
      dbname,
      username,
      // A name is as good as an ARN for GetSecretValue, and known before deployment.
      ...(definition.masterSecret ? { masterarn: masterSecretName(secret, root) } : {}),
    }),
    generateStringKey: 'password',
    passwordLength: definition.random?.length ?? 32,
    excludePunctuation: true,
    includeSpace: false,
  };
}

/** GenerateSecretString can only exclude characters; exclude everything outside the alphabet. */
function excludedFor(alphabet: 'alphanumeric' | 'hex' | 'base64url'): string {
  switch (alphabet) {
    case 'alphanumeric':
      return PUNCTUATION;
    case 'base64url':
      return PUNCTUATION.replace('-', '').replace('_', '');
    case 'hex':
      return `${PUNCTUATION}ABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz`;
  }
}

const RATE = /^rate\((\d+) (hour|hours|day|days)\)$/;
const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
const WINDOW = /^(\d+)h$/;

/** Fail the synth, naming the secret, on a schedule Secrets Manager would refuse at deploy time. */
function validateRotation(secret: DeclaredSecret): void {
  const { schedule, window, strategy } = secret.definition.rotation;
  const rate = RATE.exec(schedule);
  if (!rate && !CRON.test(schedule)) {
    throw new ConfigurationError(
      `secret ${secret.name}: schedule "${schedule}" is neither rate(N hours|days) nor a 6-field cron()`,
    );
  }
  if (rate?.[2]?.startsWith('hour') && Number(rate[1]) < 4) {
    throw new ConfigurationError(`secret ${secret.name}: Secrets Manager rotates at most every 4 hours`);
  }
  if (window !== undefined) {
    const hours = WINDOW.exec(window);
    if (!hours || Number(hours[1]) < 1 || Number(hours[1]) > 24) {
      throw new ConfigurationError(`secret ${secret.name}: window "${window}" must be 1h to 24h`);
    }
  }
  if (strategy === 'random' && !secret.definition.random) {
    throw new ConfigurationError(
      `secret ${secret.name}: the random strategy needs a random spec (length, alphabet, field)`,
    );
  }
  if (strategy === 'postgres-alternating-users' && !secret.definition.masterSecret) {
    throw new ConfigurationError(`secret ${secret.name}: postgres-alternating-users needs a masterSecret`);
  }
}
