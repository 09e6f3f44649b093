/** The `ConfigSteward` stack: one construct per capability, composed from the settings and `config/`. */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { Organisation } from '../functions/core/model.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import { DesiredParameters } from './constructs/desired-parameters.ts';
import type { Settings } from './settings.ts';

export interface ConfigStewardStackProps extends StackProps {
  readonly settings: Settings;
  readonly organisation: Organisation;
}

export class ConfigStewardStack extends Stack {
  public readonly registry: SchemaRegistry;
  public readonly desiredParameters: DesiredParameters;

  constructor(scope: Construct, id: string, props: ConfigStewardStackProps) {
    super(scope, id, props);
    const { settings, organisation } = props;
    this.registry = new SchemaRegistry(organisation, {
      parameterRoot: settings.parameterRoot,
      parameterTier: settings.parameterTier,
      environments: settings.environments.map((e) => e.name),
    });

    const bus = new events.EventBus(this, 'Bus', { eventBusName: settings.eventBus.name });
    bus.archive('Archive', {
      eventPattern: { source: ['config.steward'] },
      retention: undefined,
    });
    this.desiredParameters = new DesiredParameters(this, 'DesiredParameters', {
      settings,
      registry: this.registry,
    });
  }
}
