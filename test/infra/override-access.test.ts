import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { ChangeDelivery } from '../../lib/constructs/change-delivery.ts';
import { DesiredParameters } from '../../lib/constructs/desired-parameters.ts';
import { nagFindings } from '../../lib/nag.ts';
import { grantReadOverrides } from '../../lib/override-access.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

function stack() {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
function statements(scope: Stack): Statement[] {
  return Object.values(Template.fromStack(scope).findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}
const actions = (s: Statement) => [s.Action].flat();
/** A resource as text, CDK's partition token written `aws`. */
const resource = (r: unknown) =>
  typeof r === 'string'
    ? r
    : (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
        .map((part) => (typeof part === 'string' ? part : 'aws'))
        .join('');
const UNDER_ROOT = 'arn:aws:ssm:eu-west-1:123456789012:parameter/config/*';

describe('Function: grantReadOverrides', () => {
  it('grants ListTagsForResource under the root and DescribeParameters, both acknowledged, nothing that writes', () => {
    // Prepare
    const scope = stack();
    const role = new iam.Role(scope, 'Reader', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // Act
    grantReadOverrides(role, 'config');

    // Assess
    const granted = statements(scope);
    expect(granted.map((s) => [s.Sid, actions(s), [s.Resource].flat().map(resource)])).toEqual([
      ['ReadOverrideTags', ['ssm:ListTagsForResource'], [UNDER_ROOT]],
      ['FindOverrides', ['ssm:DescribeParameters'], ['*']],
    ]);
    expect(nagFindings(scope)).toEqual([]);
  });

  it('leaves DescribeParameters out for a role that has it already', () => {
    // Prepare
    const scope = stack();
    const role = new iam.Role(scope, 'Reader', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // Act
    grantReadOverrides(role, 'config', { describeGranted: true });

    // Assess
    expect(statements(scope).flatMap(actions)).toEqual(['ssm:ListTagsForResource']);
  });
});

describe('Constructs that honour overrides', () => {
  it('let deliver-changes and the reconcile read override tags, and no function write them', () => {
    // Prepare
    const scope = stack();
    const bus = new events.EventBus(scope, 'Bus', { eventBusName: 'config-steward' });
    const registry = new SchemaRegistry(organisation, {
      parameterRoot: 'config',
      environments: ['staging', 'production'],
    });

    // Act
    new ChangeDelivery(scope, 'ChangeDelivery', { settings, bus });
    new DesiredParameters(scope, 'Desired', { settings, registry });

    // Assess
    const granted = statements(scope);
    const readers = granted.filter((s) => actions(s).includes('ssm:ListTagsForResource'));
    expect(readers).toHaveLength(2);
    for (const s of readers) expect([s.Resource].flat().map(resource)).toEqual([UNDER_ROOT]);
    const writes = granted.flatMap(actions).filter((a) => /Tags/.test(a) && a !== 'ssm:ListTagsForResource');
    expect(writes).toEqual([]);
  });
});
