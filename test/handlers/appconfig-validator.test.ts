import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { organisation } from '../../config/index.ts';
import { MalformedEventError } from '../../functions/core/errors.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import { targetsLocator } from '../../functions/core/validation/appconfig-document.ts';
import {
  exampleRegistry,
  exampleTargets,
  fixture,
  HANDLER_ENV,
  lambdaContext,
} from '../support/validate-change-harness.ts';
import { powertoolsLines } from '../support/powertools-output.ts';

type HandlerModule = typeof import('../../functions/handlers/appconfig-validator.ts');
let module: HandlerModule;

beforeAll(async () => {
  for (const [name, value] of Object.entries(HANDLER_ENV)) vi.stubEnv(name, value);
  // The fixture's application id is the orders application.
  const targets = exampleTargets();
  targets.orders = { ...targets.orders!, applicationId: 'abc1234', documentProfileId: 'ijk0987' };
  vi.stubEnv('STEWARD_APPCONFIG', JSON.stringify(targets));
  module = await import('../../functions/handlers/appconfig-validator.ts');
});

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

function validator() {
  return module.createAppConfigValidatorHandler({
    registry: exampleRegistry(),
    locator: targetsLocator(exampleTargets()),
    logger: new Logger({ logLevel: 'SILENT' }),
  });
}

/** A camelCase invocation carrying the composed orders production document. */
function ordersInvocation() {
  return {
    applicationId: 'app-orders',
    configurationProfileId: 'doc-orders',
    configurationVersion: '3',
    content: base64(composed('orders', 'production')),
    uri: 'hosted',
  };
}

function composed(service: string, environment: string) {
  const result = exampleRegistry().compose(service, environment);
  if (!result.ok) throw new Error('example organisation does not compose');
  return result.document;
}

describe('Handler: appconfig-validator', () => {
  it('rejects the AWS fixture: its keys are not keys of the orders document', async () => {
    // Act
    const act = module.handler(fixture('appconfig-lambda-validator.json'), lambdaContext);

    // Assess
    await expect(act).rejects.toThrow(/invalid orders document version 7: .*maxRetries.*timeoutMs/);
  });

  it('accepts a composed document of the service (camelCase invocation)', async () => {
    // Prepare
    const event = ordersInvocation();

    // Act
    const result = await validator()(event, lambdaContext);

    // Assess
    expect(result).toEqual({ valid: true, service: 'orders', profile: 'document' });
  });

  it("logs the document's service as configService, beside the Lambda service Powertools keeps", async () => {
    // Prepare: a real Logger at INFO
    const handler = module.createAppConfigValidatorHandler({
      registry: exampleRegistry(),
      locator: targetsLocator(exampleTargets()),
      logger: new Logger({ serviceName: 'config-steward-appconfig-validator', logLevel: 'INFO' }),
    });
    const event = ordersInvocation();

    // Act
    const lines = await powertoolsLines(() => handler(event, lambdaContext));

    // Assess: one line, no "reserved key" warning
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'document valid',
        service: 'config-steward-appconfig-validator',
        configService: 'orders',
        profile: 'document',
      }),
    ]);
  });

  it('accepts the older PascalCase invocation keys', async () => {
    // Prepare
    const event = {
      ApplicationId: 'app-payments',
      ConfigurationProfileId: 'doc-payments',
      ConfigurationVersion: '1',
      Content: base64(composed('payments', 'staging')),
      Uri: 'hosted',
    };

    // Act
    const result = await validator()(event, lambdaContext);

    // Assess
    expect(result).toMatchObject({ valid: true, service: 'payments' });
  });

  it('rejects an invalid document naming the keys, never the values', async () => {
    // Prepare
    const document = {
      ...composed('orders', 'production'),
      'max-retries': 99,
      'log-level': 'chatty',
      extra: 'x',
    };
    const event = {
      applicationId: 'app-orders',
      configurationProfileId: 'doc-orders',
      configurationVersion: '4',
      content: base64(document),
    };

    // Act
    const error = await validator()(event, lambdaContext).catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('InvalidDocumentError');
    expect((error as Error).message).toContain('max-retries: Too big');
    expect((error as Error).message).toContain('log-level: Invalid option');
    expect((error as Error).message).toContain('(document): Unrecognized key: "extra"');
    expect((error as Error).message).not.toContain('99');
    expect((error as Error).message).not.toContain('chatty');
  });

  it('rejects content that is not JSON', async () => {
    // Prepare
    const event = {
      applicationId: 'app-orders',
      configurationProfileId: 'doc-orders',
      configurationVersion: '5',
      content: Buffer.from('max-retries=3').toString('base64'),
    };

    // Act
    const act = validator()(event, lambdaContext);

    // Assess
    await expect(act).rejects.toThrow('(document): not valid JSON');
  });

  it('rejects an application that is not a Steward service', async () => {
    // Prepare
    const event = { ...fixture('appconfig-lambda-validator.json'), applicationId: 'someone-else' };

    // Act
    const act = validator()(event, lambdaContext);

    // Assess
    await expect(act).rejects.toThrow('of application someone-else is not a Steward profile');
  });

  it('accepts the flags document the stack generates for a flags profile', async () => {
    // Prepare
    const orders = organisation.services.find((s) => s.name === 'orders')!;
    const event = {
      applicationId: 'app-orders',
      configurationProfileId: 'flags-orders',
      configurationVersion: '2',
      content: base64(toAppConfigFlags(orders.flags ?? {}, 'production')),
    };

    // Act
    const result = await validator()(event, lambdaContext);

    // Assess
    expect(result).toEqual({ valid: true, service: 'orders', profile: 'flags' });
  });

  it('rejects a flags document that breaks the AppConfig feature-flag format', async () => {
    // Prepare: an undefined flag's values, a missing enabled, a bad attribute type
    const document = {
      version: '1',
      flags: {
        'new-checkout': {
          name: 'new-checkout',
          attributes: { rolloutPercent: { constraints: { type: 'number', maximum: 100 } } },
        },
        'dark-mode': { name: 'dark-mode' },
      },
      values: {
        'new-checkout': { enabled: true, rolloutPercent: 'lots' },
        'dark-mode': {},
        ghost: { enabled: true },
      },
    };
    const event = {
      applicationId: 'app-orders',
      configurationProfileId: 'flags-orders',
      configurationVersion: '3',
      content: base64(document),
    };

    // Act
    const error = await validator()(event, lambdaContext).catch((e: Error) => e);

    // Assess
    expect((error as Error).message).toContain('values.dark-mode.enabled');
    expect((error as Error).message).toContain('values.new-checkout.rolloutPercent: expected a number');
    expect((error as Error).message).toContain('values.ghost: values for an undefined flag');
    expect((error as Error).message).not.toContain('lots');
  });

  it('rejects an invocation without the fields AppConfig sends', async () => {
    // Act
    const act = validator()({ applicationId: 'app-orders' }, lambdaContext);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MalformedEventError);
  });
});
