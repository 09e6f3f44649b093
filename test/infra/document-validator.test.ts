import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import { DocumentValidator } from '../../lib/constructs/document-validator.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

/** The template of a validator for these applications (built outside the tests' time limits: synth is slow). */
function synth(applicationIds: readonly string[], appConfigNamePrefix?: string): Template {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const validator = new DocumentValidator(stack, 'AppConfigValidator', { settings, appConfigNamePrefix });
  validator.validateApplications(applicationIds);
  return Template.fromStack(stack);
}

const appConfigActions = (template: Template) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a) => a.startsWith('appconfig:'));

describe('Construct: DocumentValidator', () => {
  // Act
  const withoutApplications = synth([], 'acme-');
  const withOne = synth(['app111']);

  it('tells the function the application name prefix, within the 15 seconds AppConfig allows', () => {
    withoutApplications.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 15,
      Environment: { Variables: Match.objectLike({ STEWARD_APPCONFIG_PREFIX: 'acme-' }) },
    });
  });

  it('reads application and profile names only of the applications it is given', () => {
    expect(appConfigActions(withoutApplications)).toEqual([]);
    expect(appConfigActions(withOne)).toEqual([
      'appconfig:GetApplication',
      'appconfig:GetConfigurationProfile',
    ]);
    // One ARN pair for the application: GetApplication authorises on the application only, and
    // GetConfigurationProfile on it and its profiles, so `application/app111/*` reaches nothing else.
    const statements = Object.values(withOne.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    const locate = statements.filter((s) => JSON.stringify(s.Action).includes('appconfig:'));
    expect(locate).toHaveLength(1);
    expect([locate[0]!.Resource].flat().map(flattenCfnReference)).toEqual([
      'arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application/app111',
      'arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application/app111/*',
    ]);
  });
});
