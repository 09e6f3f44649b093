import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { ValueFingerprints } from '../../lib/constructs/value-fingerprints.ts';
import { formatNagFindings, nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';

const settings = loadSettings('config/settings.json');
const app = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('Construct: ValueFingerprints', () => {
  it('creates a KMS HMAC_256 key for GenerateMac, not rotated, with the alias the CLI derives', () => {
    // Prepare
    const stack = new Stack(app(), 'Test');

    // Act
    const fingerprints = new ValueFingerprints(stack, 'ValueFingerprints', { settings });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'HMAC_256',
      KeyUsage: 'GENERATE_VERIFY_MAC',
      EnableKeyRotation: false,
      PendingWindowInDays: 7,
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/config-steward/value-fingerprints',
    });
    expect(fingerprints.aliasName).toBe('alias/config-steward/value-fingerprints');
    template.hasOutput('*', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('ValueFingerprintsKey'), 'Arn'] },
    });
  });

  it('is cdk-nag clean without acknowledging anything: AwsSolutions-KMS5 is not raised for an HMAC key', () => {
    // Prepare
    const stack = new Stack(app(), 'Test');
    const fingerprints = new ValueFingerprints(stack, 'ValueFingerprints', { settings });
    const symmetric = new Stack(app(), 'Symmetric');
    new kms.Key(symmetric, 'Key', { enableKeyRotation: false });

    // Act
    const findings = nagFindings(stack);

    // Assess: the rule is live (an unrotated symmetric key trips it), and the HMAC key passes it as it is
    expect(findings, formatNagFindings(findings)).toEqual([]);
    expect(nagFindings(symmetric).map((f) => f.rule)).toContain('AwsSolutions-KMS5');
    // Acknowledgements live in construct metadata: none is recorded under the construct.
    const metadata = JSON.stringify(fingerprints.node.findAll().map((c) => c.node.metadata));
    expect(metadata).not.toContain('acknowledge');
    expect(metadata).not.toContain('KMS5');
  });
});

describe('Stack: ConfigSteward value fingerprints', () => {
  const stackApp = app();
  const stack = new ConfigStewardStack(stackApp, 'ConfigSteward', { settings, organisation });
  const template = Template.fromStack(stack);
  const keyId = stack.getLogicalId(stack.fingerprints.key.node.defaultChild as kms.CfnKey);
  const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };

  it('grants kms:GenerateMac on the key ARN only, to validate-change and drift-job only', () => {
    // Act: every statement in the stack that mentions GenerateMac
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const granting = policies.filter(([, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).some((s) =>
        actionsOf(s).some((a) => a === 'kms:GenerateMac' || a === 'kms:*'),
      ),
    );

    // Assess
    const roles = granting.flatMap(([, p]) => (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref));
    expect(roles).toHaveLength(2);
    expect(roles.some((r) => r.includes('ValidateChange'))).toBe(true);
    expect(roles.some((r) => r.includes('DriftJob'))).toBe(true);
    for (const [, policy] of granting) {
      const statements = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((s) =>
        actionsOf(s).includes('kms:GenerateMac'),
      );
      expect(statements).toEqual([
        { Sid: 'FingerprintValues', Effect: 'Allow', Action: 'kms:GenerateMac', Resource: keyArn },
      ]);
    }
  });

  it('gives exactly those two functions the key ARN as STEWARD_FINGERPRINT_KEY', () => {
    // Act
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const withKey = functions.filter(
      (f) => f.Properties.Environment?.Variables?.STEWARD_FINGERPRINT_KEY !== undefined,
    );

    // Assess
    expect(withKey.map((f) => f.Properties.Description as string).sort()).toEqual([
      expect.stringMatching(/^Nightly drift sweep/),
      expect.stringMatching(/^Validates every change/),
    ]);
    for (const fn of withKey)
      expect(fn.Properties.Environment.Variables.STEWARD_FINGERPRINT_KEY).toEqual(keyArn);
  });

  it('outputs the key ARN for operators and the CLI', () => {
    // Act
    const value = new Capture();
    template.hasOutput('*', { Value: value });

    // Assess
    const outputs = Object.values(template.toJSON().Outputs as Record<string, { Value: unknown }>);
    expect(outputs.map((o) => o.Value)).toContainEqual(keyArn);
  });
});
