/**
 * The Steward event bus: every catalog event (`source: config.steward`), archived for replay, with the
 * catalog's schemas published in an EventBridge schema registry.
 *
 * Schemas: published as `AWS::EventSchemas::Schema` entries (one per detail type) rather than an S3
 * asset, so subscribers find them where EventBridge tooling looks (console, `aws schemas`, code
 * bindings) and they version with the stack. The registry accepts JSON Schema draft-04 only, so the
 * zod catalog is rendered for that target and wrapped in the EventBridge envelope.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import * as z from 'zod';
import { type DetailType, EVENT_SOURCE, eventSchemas } from '../../functions/core/events.ts';
import type { Settings } from '../settings.ts';

export interface ChangeEventsProps {
  readonly settings: Settings;
  /**
   * Publish the catalog's schemas in an EventBridge schema registry.
   * @default true
   */
  readonly publishSchemas?: boolean;
}

/** The schema registry entry of one detail type: the EventBridge envelope with the detail's schema. */
export function eventEnvelopeSchema(detailType: DetailType): Record<string, unknown> {
  const { $schema: _drop, ...detail } = z.toJSONSchema(eventSchemas[detailType], {
    target: 'draft-04',
  }) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: detailType,
    description: `Config Steward event "${detailType}"`,
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      resources: { type: 'array', items: { type: 'string' } },
      source: { type: 'string', enum: [EVENT_SOURCE] },
      'detail-type': { type: 'string', enum: [detailType] },
      detail,
    },
  };
}

/** `Config Change Accepted` → `config.steward@ConfigChangeAccepted`, the way EventBridge names discovered schemas. */
export function schemaName(detailType: DetailType): string {
  return `${EVENT_SOURCE}@${detailType.replace(/\s+/g, '')}`;
}

/**
 * @example
 * const changeEvents = new ChangeEvents(this, 'Events', { settings });
 * changeEvents.grantPublish(validator.fn);
 */
export class ChangeEvents extends Construct {
  public readonly bus: events.EventBus;
  public readonly archive: events.Archive;
  public readonly schemaRegistry?: eventschemas.CfnRegistry;
  public readonly schemas: Partial<Record<DetailType, eventschemas.CfnSchema>> = {};

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    const { eventBus } = props.settings;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: eventBus.name,
      description: 'Config Steward: configuration change, delivery, rotation, drift and flag events',
    });
    this.archive = this.bus.archive('Archive', {
      description: `Every ${EVENT_SOURCE} event, for replay`,
      eventPattern: { source: [EVENT_SOURCE] },
      // 0 keeps events indefinitely.
      retention: eventBus.archiveRetentionDays > 0 ? Duration.days(eventBus.archiveRetentionDays) : undefined,
    });

    if (props.publishSchemas ?? true) {
      this.schemaRegistry = new eventschemas.CfnRegistry(this, 'Schemas', {
        registryName: `${eventBus.name}-events`.slice(0, 64),
        description: `JSON Schemas of the ${EVENT_SOURCE} event catalog`,
      });
      this.schemaRegistry.applyRemovalPolicy(RemovalPolicy.DESTROY);
      for (const detailType of Object.keys(eventSchemas) as DetailType[]) {
        const schema = new eventschemas.CfnSchema(this, `Schema-${detailType.replace(/\s+/g, '')}`, {
          registryName: this.schemaRegistry.attrRegistryName,
          schemaName: schemaName(detailType),
          type: 'JSONSchemaDraft4',
          description: `detail-type "${detailType}"`,
          content: JSON.stringify(eventEnvelopeSchema(detailType)),
        });
        this.schemas[detailType] = schema;
      }
    }
  }

  /** Allow a principal to publish on the Steward bus (events:PutEvents on this bus only). */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.bus.grantPutEventsTo(grantee);
  }
}
