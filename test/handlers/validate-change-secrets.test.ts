/**
 * Known secret values fed through every path of validate-change and the AppConfig validator: none may
 * appear in a captured log line, event, ticket, delivered document, outcome or error.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../functions/core/hash.ts';
import { string } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { targetsLocator } from '../../functions/core/validation/appconfig-document.ts';
import { LAST_KNOWN_GOOD } from '../../functions/core/names.ts';
import { ParameterAccessDeniedError } from '../../functions/ports/parameter-store.errors.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import {
  changeEvent,
  exampleRegistry,
  exampleTargets,
  HANDLER_ENV,
  type HarnessOptions,
  lambdaContext,
  validateChangePorts,
} from '../support/validate-change-harness.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

let handlers: {
  validateChange: typeof import('../../functions/handlers/validate-change.ts');
  appConfigValidator: typeof import('../../functions/handlers/appconfig-validator.ts');
};

beforeAll(async () => {
  for (const [name, value] of Object.entries(HANDLER_ENV)) vi.stubEnv(name, value);
  handlers = {
    validateChange: await import('../../functions/handlers/validate-change.ts'),
    appConfigValidator: await import('../../functions/handlers/appconfig-validator.ts'),
  };
});

const SIGNING_KEY = '/config/production/orders/webhook-signing-key';
/** Valid (at least 32 characters) and invalid secrets; each must never surface. */
const GOOD_SECRET = 'whsec-GOOD-7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e';
const NEXT_SECRET = 'whsec-NEXT-0a2c4e6f8b1d3f5a7c9e2b4d6f8a0c2e';
const SHORT_SECRET = 'whsec-SHORT-91x';
const PLAIN_SECRET = 'whsec-PLAIN-c4e6f8b1d3f5a7c9e2b4d6f8a0c2e0a2';
/** Under plain `string()` keys: a password the credential detector knows by shape, and a sensitive key's value. */
const PASSWORD = 'Tr0ub4dor&3';
const PREVIOUS_PASSWORD = 'user:Sup3rS3cret!';
const SENSITIVE_HOST = 'ledger-7.prd.internal';
const SECRETS = [
  GOOD_SECRET,
  NEXT_SECRET,
  SHORT_SECRET,
  PLAIN_SECRET,
  PASSWORD,
  PREVIOUS_PASSWORD,
  SENSITIVE_HOST,
];

const captured: string[] = [];

beforeEach(() => {
  captured.length = 0;
  const capture = (chunk: unknown) => {
    captured.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function setup(options: HarnessOptions = {}) {
  const logger = new Logger({ logLevel: 'DEBUG', serviceName: 'validate-change' });
  const ports = await validateChangePorts({ logger, ...options });
  const handler = handlers.validateChange.createValidateChangeHandler(ports.deps);
  const errors: Error[] = [];
  const outcomes: unknown[] = [];
  const invoke = async (event: unknown) => {
    try {
      outcomes.push(await handler(event, lambdaContext));
    } catch (error) {
      errors.push(error as Error);
    }
  };
  const everything = () =>
    JSON.stringify({
      logs: captured,
      events: ports.publisher.events,
      tickets: ports.tickets.tickets,
      hosted: ports.delivery.hosted,
      outcomes,
      errors: errors.map((e) => ({ name: e.name, message: e.message, stack: e.stack })),
    });
  return { ...ports, invoke, errors, everything };
}

/** Neither the value nor its plain SHA-256 (which a guess could be checked against) may appear. */
function expectNoSecret(text: string) {
  for (const secret of SECRETS) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(sha256(secret));
  }
}

describe('Secret values through validate-change and the AppConfig validator', () => {
  it('never exposes a SecureString value through accept, reject+restore, duplicate and own-write paths', async () => {
    // Prepare
    const { store, invoke, everything, publisher } = await setup();
    const good = store.seed(SIGNING_KEY, GOOD_SECRET, 'SecureString');
    await store.label(SIGNING_KEY, good, [LAST_KNOWN_GOOD]);

    // Act: a valid rotation, an invalid edit (restored from the label), and the restore's own event
    store.seed(SIGNING_KEY, NEXT_SECRET, 'SecureString');
    await invoke(changeEvent(SIGNING_KEY, 'Update', 'evt-accept'));
    store.seed(SIGNING_KEY, SHORT_SECRET, 'SecureString');
    await invoke(changeEvent(SIGNING_KEY, 'Update', 'evt-reject'));
    await invoke(changeEvent(SIGNING_KEY, 'Update', 'evt-own'));

    // Assess: the paths ran, with keyed fingerprints in place of values
    expect(publisher.ofType('Config Change Accepted')[0]?.detail).toMatchObject({
      parameterType: 'SecureString',
      valueFingerprint: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    });
    expect(publisher.ofType('Config Change Accepted')[0]?.detail).not.toHaveProperty('value');
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
    expect(store.valueOf(SIGNING_KEY)).toBe(NEXT_SECRET);
    expect(captured.join('')).toContain('change judged');
    expectNoSecret(everything());
  });

  it('never exposes it in report mode, for a secret stored as String, or for a deleted secret', async () => {
    // Prepare
    const { store, invoke, everything, tickets } = await setup({ enforcement: { production: 'report' } });

    // Act
    store.seed(SIGNING_KEY, SHORT_SECRET, 'SecureString');
    await invoke(changeEvent(SIGNING_KEY));
    store.seed(SIGNING_KEY, PLAIN_SECRET, 'String');
    await invoke(changeEvent(SIGNING_KEY));
    await store.delete(SIGNING_KEY);
    await invoke(changeEvent(SIGNING_KEY, 'Delete'));

    // Assess
    expect(tickets.tickets).toHaveLength(2);
    expectNoSecret(everything());
  });

  it('never exposes it when reading fails, when the event is malformed, or while delivering', async () => {
    // Prepare: a secret beside a plain key, so composing the document walks past it
    const { store, invoke, everything, errors, delivery, queue } = await setup({ busyAnswers: 10 });
    store.seed(SIGNING_KEY, GOOD_SECRET, 'SecureString');
    vi.spyOn(store, 'history').mockRejectedValueOnce(
      new ParameterAccessDeniedError(SIGNING_KEY, 'GetParameterHistory'),
    );

    // Act
    await invoke(changeEvent(SIGNING_KEY));
    await invoke({ ...changeEvent(SIGNING_KEY), detail: { name: SIGNING_KEY, operation: SHORT_SECRET } });
    store.seed('/config/production/orders/max-retries', '4');
    await invoke(changeEvent('/config/production/orders/max-retries'));

    // Assess: the busy environment keeps the delivery request waiting in the queue
    expect(errors.map((e) => e.name)).toEqual(['MalformedEventError']);
    expect(delivery.hosted).toHaveLength(1);
    expect(queue.pending).toHaveLength(1);
    expectNoSecret(everything());
  });

  it('never exposes values in the AppConfig validator rejection', async () => {
    // Prepare: a secret pasted into a document key, and as an unknown key's value
    const handler = handlers.appConfigValidator.createAppConfigValidatorHandler({
      registry: exampleRegistry(),
      locator: targetsLocator(exampleTargets()),
      logger: new Logger({ logLevel: 'DEBUG' }),
    });
    const composed = exampleRegistry().compose('orders', 'production');
    if (!composed.ok) throw new Error('example organisation does not compose');
    const document = { ...composed.document, 'promo-code': PLAIN_SECRET, 'webhook-signing-key': GOOD_SECRET };
    const event = {
      applicationId: 'app-orders',
      configurationProfileId: 'doc-orders',
      configurationVersion: '9',
      content: Buffer.from(JSON.stringify(document)).toString('base64'),
    };

    // Act
    const error = await handler(event, lambdaContext).catch((e: Error) => e);

    // Assess
    expect((error as Error).message).toContain('webhook-signing-key');
    expectNoSecret(
      JSON.stringify({ logs: captured, message: (error as Error).message, stack: (error as Error).stack }),
    );
  });

  it('never exposes a credential-like or sensitive plain value in logs, events, tickets or outcomes', async () => {
    // Prepare: a service of plain keys, one holding a password, one declared sensitive
    const registry = new SchemaRegistry(
      {
        services: [
          defineService({ name: 'shared', keys: {}, values: {} }),
          defineService({
            name: 'ledger',
            keys: { 'legacy-login': string(), 'upstream-host': string({ sensitive: true }) },
            values: {},
          }),
        ],
      },
      { parameterRoot: 'config', environments: ['staging', 'production'] },
    );
    const { store, invoke, everything, publisher, deps } = await setup({ seedDesired: false });
    Object.assign(deps, { registry });
    const login = '/config/production/ledger/legacy-login';
    const host = '/config/production/ledger/upstream-host';
    await store.label(login, store.seed(login, PREVIOUS_PASSWORD), [LAST_KNOWN_GOOD]);
    store.seed(login, PASSWORD);
    store.seed(host, SENSITIVE_HOST);

    // Act
    await invoke(changeEvent(login));
    await invoke(changeEvent(host));

    // Assess
    const accepted = publisher.ofType('Config Change Accepted');
    expect(accepted.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        parameterName: login,
        valueFingerprint: expect.stringMatching(/^hmac-sha256:/),
      }),
      expect.objectContaining({
        parameterName: host,
        valueFingerprint: expect.stringMatching(/^hmac-sha256:/),
      }),
    ]);
    expect(captured.join('')).toContain('change judged');
    expectNoSecret(everything());
  });
});
