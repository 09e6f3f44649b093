import { describe, expect, it } from 'vitest';
import { postgresTls } from '../../functions/adapters/postgres-tls.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import {
  functionEnvironment,
  parseFunctionEnvironment,
  POSTGRES_TLS_MODES,
} from '../../functions/core/runtime-settings.ts';
import { HANDLER_ENV } from '../support/validate-change-harness.ts';

describe('Function: functionEnvironment', () => {
  it('extends the runtime settings with the named variables only, with their defaults', () => {
    // Act
    const settings = parseFunctionEnvironment(
      functionEnvironment(
        'STEWARD_DELIVERY_QUEUE_URL',
        'STEWARD_DELIVERY_RETRY_SECONDS',
        'STEWARD_POSTGRES_SSL',
      ),
      { ...HANDLER_ENV, STEWARD_DELIVERY_QUEUE_URL: 'https://sqs/q.fifo', STEWARD_APPCONFIG: '{}' },
    );

    // Assess
    expect(settings).toMatchObject({
      STEWARD_EVENT_BUS: 'config-steward',
      STEWARD_DELIVERY_QUEUE_URL: 'https://sqs/q.fifo',
      STEWARD_DELIVERY_RETRY_SECONDS: 60,
      STEWARD_POSTGRES_SSL: 'verify-full',
    });
    expect(settings).not.toHaveProperty('STEWARD_APPCONFIG');
  });

  it('reads a variable that is set but empty as not set', () => {
    // Act
    const settings = parseFunctionEnvironment(
      functionEnvironment('STEWARD_DELIVERY_QUEUE_URL', 'STEWARD_APPCONFIG'),
      {
        ...HANDLER_ENV,
        STEWARD_DELIVERY_QUEUE_URL: '',
      },
    );

    // Assess
    expect(settings.STEWARD_DELIVERY_QUEUE_URL).toBeUndefined();
    expect(settings.STEWARD_APPCONFIG).toBeUndefined();
  });

  it.each([
    ['STEWARD_POSTGRES_SSL', 'verify-ca'],
    ['STEWARD_DELIVERY_RETRY_SECONDS', '0'],
    ['STEWARD_DELIVERY_RETRY_SECONDS', 'soon'],
  ] as const)('refuses %s=%s with an error naming the variable', (name, value) => {
    // Act
    const act = () => parseFunctionEnvironment(functionEnvironment(name), { ...HANDLER_ENV, [name]: value });

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(new RegExp(`function environment is incomplete: ${name}: `));
  });

  it('still names a missing runtime setting', () => {
    // Prepare
    const { STEWARD_EVENT_BUS: _omitted, ...incomplete } = HANDLER_ENV;

    // Act & Assess
    expect(() => parseFunctionEnvironment(functionEnvironment('STEWARD_APPCONFIG'), incomplete)).toThrow(
      /STEWARD_EVENT_BUS: /,
    );
  });
});

describe('Function: postgresTls', () => {
  it('maps every mode the environment schema accepts to pg TLS options', () => {
    // Act
    const options = Object.fromEntries(POSTGRES_TLS_MODES.map((mode) => [mode, postgresTls(mode)]));

    // Assess
    expect(options).toEqual({
      'verify-full': { rejectUnauthorized: true },
      require: { rejectUnauthorized: false },
      disable: false,
    });
  });
});
