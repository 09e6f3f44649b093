import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { eventSchemas, stewardEvent } from '../../functions/core/events.ts';
import { ChangeEvents, eventEnvelopeSchema, schemaName } from '../../lib/constructs/change-events.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');
const unbundled = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');

describe('Construct: ChangeEvents', () => {
  it('creates the Steward bus with an archive of its own events for the configured retention', () => {
    // Prepare
    const stack = unbundled();

    // Act
    const changeEvents = new ChangeEvents(stack, 'Events', { settings });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'config-steward' });
    template.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: { source: ['config.steward'] },
      RetentionDays: 90,
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsBus'), 'Arn'] },
    });
    expect(changeEvents.bus.eventBusName).toBeDefined();
  });

  it('publishes one draft-04 schema per detail type in a schema registry', () => {
    // Prepare
    const stack = unbundled();

    // Act
    new ChangeEvents(stack, 'Events', { settings });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const schemas = Object.values(template.findResources('AWS::EventSchemas::Schema'));
    expect(schemas.map((s) => s.Properties.SchemaName).sort()).toEqual(
      Object.keys(eventSchemas)
        .map((t) => schemaName(t as keyof typeof eventSchemas))
        .sort(),
    );
    expect(schemas.every((s) => s.Properties.Type === 'JSONSchemaDraft4')).toBe(true);
    const accepted = schemas.find((s) => s.Properties.SchemaName === 'config.steward@ConfigChangeAccepted');
    const content = JSON.parse(accepted?.Properties.Content);
    expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(content.properties['detail-type']).toEqual({ type: 'string', enum: ['Config Change Accepted'] });
    expect(content.properties.detail.required).toContain('valueFingerprint');
    expect(content.properties.detail.properties.valueFingerprint.pattern).toBe('^hmac-sha256:[0-9a-f]{64}$');
    expect(content.properties.detail.additionalProperties).toBe(false);
  });

  it('renders envelopes a catalog event satisfies in its required fields', () => {
    // Prepare
    const event = stewardEvent('Config Change Restored', {
      parameterName: '/config/production/orders/max-retries',
      environment: 'production',
      restoredFrom: 'last-known-good',
      triggeringEventId: 'evt-1',
    });

    // Act
    const envelope = eventEnvelopeSchema('Config Change Restored') as {
      properties: { detail: { required: string[]; properties: Record<string, unknown> } };
    };

    // Assess
    for (const field of envelope.properties.detail.required) expect(event.detail).toHaveProperty(field);
    expect(Object.keys(event.detail).every((k) => k in envelope.properties.detail.properties)).toBe(true);
  });

  it('can leave the schemas out, and grants PutEvents on this bus only', () => {
    // Prepare
    const stack = unbundled();
    const role = new iam.Role(stack, 'Publisher', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // Act
    const changeEvents = new ChangeEvents(stack, 'Events', { settings, publishSchemas: false });
    changeEvents.grantPublish(role);

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EventSchemas::Schema', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'events:PutEvents',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventsBus'), 'Arn'] },
          },
        ],
      },
    });
  });
});
