import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { defineService, type Organisation, type SecretDefinition } from '../../functions/core/model.ts';
import { SecretRotation, type SecretRotationProps } from '../../lib/constructs/secret-rotation.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings, type Settings } from '../../lib/settings.ts';
import { exampleSecretNames } from '../support/example-organisation.ts';

const settings = loadSettings('config/settings.json');
const VPC: NonNullable<Settings['vpc']> = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  securityGroupIds: ['sg-0123456789abcdef0'],
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
};

function synth(overrides: Partial<SecretRotationProps> = {}) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Rotation', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const rotation = new SecretRotation(stack, 'SecretRotation', { settings, organisation, ...overrides });
  return { stack, rotation, template: Template.fromStack(stack) };
}

/** An organisation of one service `billing` holding one PostgreSQL secret `db`. */
function billingWith(secret: Partial<SecretDefinition>): Organisation {
  return {
    services: [
      defineService({
        name: 'billing',
        keys: {},
        values: {},
        secrets: {
          db: {
            description: 'billing database',
            shape: 'postgres',
            rotation: { strategy: 'postgres-alternating-users', schedule: 'rate(30 days)' },
            masterSecret: 'db-master',
            database: {
              staging: { host: 'billing.cluster-abc.eu-west-1.rds.amazonaws.com' },
              production: { host: 'billing.cluster-def.eu-west-1.rds.amazonaws.com', port: 6432 },
            },
            ...secret,
          },
        },
      }),
    ],
  };
}

/** The error a function throws; fails the test when it returns. */
function thrown(act: () => unknown): Error {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('Class: SecretRotation', () => {
  it('creates every declared secret per environment, with generated values and none in the template', () => {
    // Act
    const { template, rotation } = synth();

    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', exampleSecretNames(settings).length);
    expect([...rotation.secrets.keys()].sort()).toEqual(exampleSecretNames(settings));
    expect(exampleSecretNames(settings)).toContain('config/staging/payments/provider-api-key');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'config/production/orders/db',
      GenerateSecretString: {
        GenerateStringKey: 'password',
        SecretStringTemplate: JSON.stringify({
          engine: 'postgres',
          host: 'orders-db.production.example.com',
          port: 5432,
          dbname: 'orders',
          username: 'orders_app',
          masterarn: 'config/production/orders/db-master',
        }),
        ExcludePunctuation: true,
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'config/production/payments/provider-api-key',
      GenerateSecretString: { GenerateStringKey: 'apiKey', PasswordLength: 40, SecretStringTemplate: '{}' },
    });
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    for (const secret of Object.values(secrets)) expect(secret.Properties).not.toHaveProperty('SecretString');
  });

  it("generates each environment's PostgreSQL secret with the endpoint config/ declares for it", () => {
    // Act
    const { template } = synth({ organisation: billingWith({}) });

    // Assess: host, port, dbname and username in the template; the password generated beside them
    const templates = Object.fromEntries(
      Object.values(template.findResources('AWS::SecretsManager::Secret')).map((r) => [
        r.Properties.Name,
        {
          ...JSON.parse(r.Properties.GenerateSecretString.SecretStringTemplate),
          generated: r.Properties.GenerateSecretString.GenerateStringKey,
        },
      ]),
    );
    expect(templates).toEqual({
      'config/staging/billing/db': {
        engine: 'postgres',
        host: 'billing.cluster-abc.eu-west-1.rds.amazonaws.com',
        port: 5432,
        dbname: 'billing',
        username: 'billing',
        masterarn: 'config/staging/billing/db-master',
        generated: 'password',
      },
      'config/production/billing/db': {
        engine: 'postgres',
        host: 'billing.cluster-def.eu-west-1.rds.amazonaws.com',
        port: 6432,
        dbname: 'billing',
        username: 'billing',
        masterarn: 'config/production/billing/db-master',
        generated: 'password',
      },
    });
  });

  it('refuses to synthesize a PostgreSQL secret without an endpoint, naming the secret and where to declare it', () => {
    // Act
    const error = thrown(() =>
      synth({ organisation: billingWith({ database: { staging: { host: 'billing-db.internal' } } }) }),
    );

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      'secret config/production/billing/db: no database endpoint for production; the endpoint is ' +
        'secrets.db.database.production of config/services/billing.ts, as { host, port?, dbname?, username? }',
    );
  });

  it('refuses an IP address as host where TLS is verified against it, and takes it where TLS is off', () => {
    // Prepare
    const byAddress = billingWith({
      database: {
        staging: { host: 'billing.cluster-abc.eu-west-1.rds.amazonaws.com' },
        production: { host: '10.0.12.7' },
      },
    });

    // Act
    const verified = thrown(() => synth({ organisation: byAddress }));
    const { template } = synth({ organisation: byAddress, postgresTls: 'disable' });

    // Assess
    expect(verified).toBeInstanceOf(ConfigurationError);
    expect(verified.message).toContain('host "10.0.12.7" is an IP address');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'config/production/billing/db',
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: Match.stringLikeRegexp('"host":"10\\.0\\.12\\.7"'),
      }),
    });
  });

  it('refuses a PostgreSQL strategy without a vpc in the settings, naming the field and its sub-fields', () => {
    // Act
    const error = thrown(() => synth({ settings: { ...settings, vpc: undefined } }));

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('config/staging/orders/db, config/production/orders/db');
    expect(error.message).toContain('have no "vpc". Add "vpc": {');
    for (const field of ['"vpcId"', '"subnetIds"', '"securityGroupIds"', '"availabilityZones"']) {
      expect(error.message).toContain(field);
    }
  });

  it('needs no vpc when every secret rotates randomly', () => {
    // Prepare
    const randomOnly: Organisation = { services: organisation.services.filter((s) => s.name === 'payments') };

    // Act
    const { template } = synth({ organisation: randomOnly, settings: { ...settings, vpc: undefined } });

    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { VpcConfig: Match.anyValue() }, 0);
  });

  it('reads a master secret given by ARN (as RDS reports its own) exactly, without prefixing it', () => {
    // Prepare
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf';

    // Act
    const { template } = synth({
      organisation: billingWith({
        masterSecret: arn,
        environments: ['production'],
        database: { production: { host: 'billing.cluster-def.eu-west-1.rds.amazonaws.com' } },
      }),
    });

    // Assess
    const generated = template.findResources('AWS::SecretsManager::Secret');
    const value = JSON.parse(
      Object.values(generated)[0]?.Properties.GenerateSecretString.SecretStringTemplate,
    );
    expect(value.masterarn).toBe(arn);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadMasterSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: arn,
          },
        ]),
      },
    });
  });

  it('schedules rotation with rate and cron expressions and windows, not rotating on update', () => {
    // Act
    const { template } = synth();

    // Assess
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', exampleSecretNames(settings).length);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '3h' },
      RotateImmediatelyOnUpdate: false,
      RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotateSecretFunction'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'cron(0 3 ? * SUN *)', Duration: '2h' },
      RotateImmediatelyOnUpdate: false,
    });
  });

  it('lets Secrets Manager of this account only invoke the function, before any schedule exists', () => {
    // Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: '123456789012',
    });
    const permissions = Object.keys(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { Principal: 'secretsmanager.amazonaws.com' },
      }),
    );
    const schedules = template.findResources('AWS::SecretsManager::RotationSchedule');
    for (const schedule of Object.values(schedules))
      expect(schedule.DependsOn).toEqual(expect.arrayContaining(permissions));
  });

  it('scopes the function to the managed secrets and reads only the master secrets', () => {
    // Act
    const { template } = synth();

    // Assess
    const secretRefs = Object.keys(template.findResources('AWS::SecretsManager::Secret')).map((id) => ({
      Ref: id,
    }));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'RotateManagedSecrets',
            Effect: 'Allow',
            Action: [
              'secretsmanager:DescribeSecret',
              'secretsmanager:GetSecretValue',
              'secretsmanager:PutSecretValue',
              'secretsmanager:UpdateSecretVersionStage',
            ],
            Resource: Match.arrayEquals(secretRefs),
          },
          {
            Sid: 'ReadMasterSecrets',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: [
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':secretsmanager:eu-west-1:123456789012:secret:config/staging/orders/db-master-??????',
                  ],
                ],
              },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':secretsmanager:eu-west-1:123456789012:secret:config/production/orders/db-master-??????',
                  ],
                ],
              },
            ],
          },
        ]),
      },
    });
    // No statement grants Secrets Manager actions on every secret.
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    for (const statement of statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'))) {
      expect(JSON.stringify(statement.Resource)).not.toMatch(/secret:\*|"\*"/);
    }
  });

  it('alarms on the RotationFailed metric the function emits', () => {
    // Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ConfigSteward',
      MetricName: 'RotationFailed',
      Dimensions: [{ Name: 'service', Value: 'config-steward-rotate-secret' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('runs the function in the settings VPC, with a Secrets Manager endpoint when asked', () => {
    // Act
    const { template, rotation } = synth({ settings: { ...settings, vpc: VPC }, secretsEndpoint: true });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds },
      Environment: { Variables: Match.objectLike({ STEWARD_POSTGRES_SSL: 'verify-full' }) },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcId: VPC.vpcId,
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
      SubnetIds: VPC.subnetIds,
    });
    expect(rotation.secretsManagerEndpoint).toBeDefined();
  });

  it('keeps a random-only organisation out of the VPC', () => {
    // Prepare
    const randomOnly: Organisation = {
      services: organisation.services.filter((s) => s.name === 'payments'),
    };

    // Act
    const { template } = synth({
      organisation: randomOnly,
      settings: { ...settings, vpc: VPC },
      secretsEndpoint: true,
    });

    // Assess
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { VpcConfig: Match.anyValue() }, 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  it('refuses a schedule Secrets Manager would refuse, naming the secret', () => {
    // Prepare
    const broken: Organisation = {
      services: [
        defineService({
          name: 'billing',
          keys: {},
          values: {},
          secrets: {
            token: {
              description: 't',
              shape: 'api-key',
              rotation: { strategy: 'random', schedule: 'every tuesday' },
              random: { length: 20, alphabet: 'hex', field: 'token' },
            },
          },
        }),
      ],
    };

    // Act & Assess
    expect(() => synth({ organisation: broken })).toThrow(
      /secret config\/staging\/billing\/token: schedule "every tuesday"/,
    );
  });

  it('leaves no unacknowledged cdk-nag finding of its own', () => {
    // Prepare: findings about the shared function defaults (runtime, failure queue) belong to StewardFunction
    const { stack } = synth({ settings: { ...settings, vpc: VPC }, secretsEndpoint: true });
    const sharedDefaults = /L1|LambdaLatestVersion|FailureQueue|Logs/;

    // Act
    const findings = nagFindings(stack).filter((f) => !sharedDefaults.test(`${f.rule} ${f.resource}`));

    // Assess
    expect(findings).toEqual([]);
  });
});
