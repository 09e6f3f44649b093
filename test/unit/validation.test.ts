import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../functions/core/errors.ts';
import { sha256 } from '../../functions/core/hash.ts';
import { string } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import {
  parseValidatorInvocation,
  validateDeliveredDocument,
} from '../../functions/core/validation/appconfig-document.ts';
import { parseParameterChange } from '../../functions/core/validation/change-event.ts';
import { isOwnWrite, roleNameOf } from '../../functions/core/validation/principal.ts';
import { validateChanges } from '../../functions/core/validation/validate-batch.ts';
import { LAST_KNOWN_GOOD } from '../../functions/core/names.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';
import { fixture } from '../support/validate-change-harness.ts';

describe('Function: parseParameterChange', () => {
  it('takes id, time, name, operation and the ARN from the update fixture', () => {
    // Act
    const change = parseParameterChange(fixture('ssm-parameter-change-update.json'));

    // Assess
    expect(change).toEqual({
      eventId: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
      time: '2026-11-20T16:44:48Z',
      name: '/config/production/orders/max-retries',
      operation: 'Update',
      resourceArn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/config/production/orders/max-retries',
    });
  });

  it('accepts extra fields AWS may add', () => {
    // Prepare
    const event: Record<string, unknown> = {
      ...fixture('ssm-parameter-change-delete.json'),
      'new-top-level': 1,
    };
    event.detail = { ...(event.detail as object), 'new-detail-field': true };

    // Act
    const change = parseParameterChange(event);

    // Assess
    expect(change.operation).toBe('Delete');
  });

  it('rejects another detail type, such as a policy action, naming the event and the fields', () => {
    // Act
    const act = () => parseParameterChange(fixture('ssm-parameter-policy-action.json'));

    // Assess
    expect(act).toThrow(MalformedEventError);
    expect(act).toThrow(
      /9d1f6c2e-1b7a-4f3e-8c55-0a7d2e9b4c11: .*detail-type.*detail\.name.*detail\.operation/,
    );
  });

  it('rejects a time that is not an ISO date-time and an event without an id', () => {
    // Prepare
    const badTime = { ...fixture('ssm-parameter-change-update.json'), time: 'yesterday' };
    const noId = { ...fixture('ssm-parameter-change-update.json'), id: undefined };

    // Act
    const timeError = () => parseParameterChange(badTime);
    const idError = () => parseParameterChange(noId);

    // Assess
    expect(timeError).toThrow(/time:/);
    expect(idError).toThrow(/\(no id\).*id:/);
  });
});

describe('Function: isOwnWrite', () => {
  const roleArn = 'arn:aws:iam::123456789012:role/service-role/steward-validate';

  it('recognises a session of the validator role, given its name or its ARN', () => {
    // Prepare
    const session = 'arn:aws:sts::123456789012:assumed-role/steward-validate/steward-validate-fn';

    // Act & Assess
    expect(isOwnWrite(session, 'steward-validate')).toBe(true);
    expect(isOwnWrite(session, roleArn)).toBe(true);
    expect(isOwnWrite(roleArn, roleArn)).toBe(true);
  });

  it('does not mistake a human, another role or a role with a longer name for itself', () => {
    // Act & Assess
    expect(isOwnWrite('arn:aws:iam::123456789012:user/alice', 'steward-validate')).toBe(false);
    expect(
      isOwnWrite('arn:aws:sts::123456789012:assumed-role/steward-validate-2/x', 'steward-validate'),
    ).toBe(false);
    expect(isOwnWrite(undefined, 'steward-validate')).toBe(false);
    expect(isOwnWrite('arn:aws:sts::123456789012:assumed-role/steward-validate/x', undefined)).toBe(false);
  });

  it('reads the role name off an ARN with a path', () => {
    expect(roleNameOf(roleArn)).toBe('steward-validate');
    expect(roleNameOf('steward-validate')).toBe('steward-validate');
  });
});

describe('Function: parseValidatorInvocation', () => {
  it('decodes the base64 content of the camelCase fixture', () => {
    // Act
    const invocation = parseValidatorInvocation(fixture('appconfig-lambda-validator.json'));

    // Assess
    expect(invocation).toMatchObject({
      applicationId: 'abc1234',
      configurationProfileId: 'ijk0987',
      configurationVersion: '7',
      content: '{"maxRetries":3,"timeoutMs":2500}',
    });
  });

  it('maps the PascalCase keys and a numeric version', () => {
    // Act
    const invocation = parseValidatorInvocation({
      ApplicationId: 'a',
      ConfigurationProfileId: 'p',
      ConfigurationVersion: 3,
      Content: Buffer.from('{}').toString('base64'),
    });

    // Assess
    expect(invocation).toEqual({
      applicationId: 'a',
      configurationProfileId: 'p',
      configurationVersion: '3',
      content: '{}',
      uri: undefined,
    });
  });
});

describe('Function: validateDeliveredDocument', () => {
  it('reports an attribute pattern that is not a regular expression as an issue, not a crash', async () => {
    const registry = new SchemaRegistry(
      { services: [defineService({ name: 'billing', keys: {}, values: {} })] },
      { parameterRoot: 'config', environments: ['production'] },
    );
    const document = {
      version: '1',
      flags: {
        'new-invoice': {
          name: 'new-invoice',
          attributes: { region: { constraints: { type: 'string', pattern: '([a-z' } } },
        },
      },
      values: { 'new-invoice': { enabled: true, region: 'eu' } },
    };
    const verdict = await validateDeliveredDocument(
      {
        applicationId: 'app',
        configurationProfileId: 'flags',
        configurationVersion: '2',
        content: JSON.stringify(document),
      },
      { registry, locator: { locate: async () => ({ service: 'billing', profile: 'flags' }) } },
    );

    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? [] : verdict.issues).toContainEqual({
      path: 'flags.new-invoice.attributes.region.constraints.pattern',
      message: 'not a valid regular expression',
    });
  });
});

describe('Function: validateChanges', () => {
  it('publishes a plain String that looks like a credential as its keyed fingerprint only', async () => {
    // Prepare
    const name = '/config/production/billing/api-token';
    const token = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';
    const registry = new SchemaRegistry(
      { services: [defineService({ name: 'billing', keys: { 'api-token': string() }, values: {} })] },
      { parameterRoot: 'config', environments: ['production'] },
    );
    const store = new InMemoryParameterStore();
    store.seed(name, 'ghp_9876543210abcdefghijABCDEFGHIJ543210');
    await store.label(name, 1, [LAST_KNOWN_GOOD]);
    store.seed(name, token);
    const publisher = new RecordingEventPublisher();

    // Act
    const { outcomes } = await validateChanges(
      [
        {
          recordId: 'm1',
          change: { eventId: 'evt-1', time: '2026-11-20T16:44:48Z', name, operation: 'Update' },
        },
      ],
      {
        registry,
        store,
        publisher,
        tickets: new InMemoryTicketTracker(),
        clock: new FixedClock(new Date('2026-11-20T16:45:00Z')),
        fingerprinter: new LocalHmacFingerprinter(),
        enforcement: () => 'enforce',
        requests: { send: async () => undefined },
      },
    );

    // Assess
    expect(outcomes.get('m1')).toMatchObject({ outcome: 'accepted', version: 2 });
    const detail = publisher.ofType('Config Change Accepted')[0]?.detail as Record<string, unknown>;
    expect(detail).toMatchObject({
      parameterName: name,
      version: 2,
      valueFingerprint: await new LocalHmacFingerprinter().fingerprint(token),
    });
    expect(detail).not.toHaveProperty('value');
    expect(detail).not.toHaveProperty('previousValue');
    expect(JSON.stringify(publisher.events)).not.toContain('ghp_');
    expect(JSON.stringify(publisher.events)).not.toContain(sha256(token));
  });
});
