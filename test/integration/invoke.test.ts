import { describe, expect, it, vi } from 'vitest';
import { HANDLERS, handlerFile } from '../../functions/cli/commands/invoke.ts';
import { main } from '../../functions/cli/main.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import { exampleRegistry, exampleTargets, fixture } from '../support/validate-change-harness.ts';
import { eventFile, recordingIo } from '../support/command-io.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

/** The fixture's application and profile ids are orders'. The handler module keeps the first environment it saw. */
function fixtureTargets() {
  const targets = exampleTargets();
  targets.orders = { ...targets.orders!, applicationId: 'abc1234', documentProfileId: 'ijk0987' };
  return targets;
}

describe('Command: steward invoke', () => {
  it('runs validate-change with the settings environment and prints its outcome', async () => {
    // Prepare: a parameter outside the root needs no AWS call
    const event = { ...fixture('ssm-parameter-change-update.json') };
    event.detail = { operation: 'Update', name: '/another-root/production/x' };
    const { io: commandIo, out } = recordingIo({ AWS_ENDPOINT_URL: 'http://localhost:4566' });

    // Act
    const code = await main(['invoke', 'validate-change', '--event', eventFile(event)], commandIo);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({
      handler: 'validate-change',
      ok: true,
      result: { outcome: 'ignored', parameterName: '/another-root/production/x', reason: 'outside-root' },
    });
    expect(process.env.STEWARD_PARAMETER_ROOT).toBe('config');
    expect(process.env.STEWARD_EVENT_BUS).toBe('config-steward');
  });

  it('runs the AppConfig validator with STEWARD_APPCONFIG from the caller, printing a rejection', async () => {
    // Prepare: the fixture's document has keys orders does not declare
    const { io: commandIo, out } = recordingIo({ STEWARD_APPCONFIG: JSON.stringify(fixtureTargets()) });

    // Act
    const code = await main(
      ['invoke', 'appconfig-validator', '--event', eventFile(fixture('appconfig-lambda-validator.json'))],
      commandIo,
    );

    // Assess
    expect(code).toBe(1);
    const printed = JSON.parse(out.join('\n'));
    expect(printed).toMatchObject({
      handler: 'appconfig-validator',
      ok: false,
      error: { name: 'InvalidDocumentError' },
    });
    expect(printed.error.message).toContain('maxRetries');
  });

  it('prints the validator result for a valid document', async () => {
    // Prepare
    const composed = exampleRegistry().compose('orders', 'staging');
    if (!composed.ok) throw new Error('example organisation does not compose');
    const event = {
      applicationId: 'abc1234',
      configurationProfileId: 'ijk0987',
      configurationVersion: '1',
      content: Buffer.from(JSON.stringify(composed.document)).toString('base64'),
    };
    const { io: commandIo, out } = recordingIo({ STEWARD_APPCONFIG: JSON.stringify(fixtureTargets()) });

    // Act
    const code = await main(['invoke', 'appconfig-validator', '--event', eventFile(event)], commandIo);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual({
      handler: 'appconfig-validator',
      ok: true,
      result: { valid: true, service: 'orders', profile: 'document' },
    });
  });

  it('rejects an unknown handler, a missing event file and a missing --event as usage errors', async () => {
    // Prepare
    const first = recordingIo();
    const second = recordingIo();
    const third = recordingIo();

    // Act
    const unknown = await main(['invoke', 'no-such-handler', '--event', 'x.json'], first.io);
    const missingFile = await main(
      ['invoke', 'validate-change', '--event', '/nonexistent/event.json'],
      second.io,
    );
    const missingOption = await main(['invoke', 'validate-change'], third.io);

    // Assess
    expect([unknown, missingFile, missingOption]).toEqual([2, 2, 2]);
    expect(first.err.join('\n')).toContain(
      'unknown handler "no-such-handler" (known: validate-change, appconfig-validator',
    );
    expect(second.err.join('\n')).toContain('cannot read event file /nonexistent/event.json');
    expect(third.err.join('\n')).toContain('--event FILE is required');
  });

  it('maps every listed handler to an existing file, and names a missing one', () => {
    // Act
    const files = Object.keys(HANDLERS).map((name) => handlerFile(name));
    const missing = () => handlerFile('validate-change', '/nonexistent/handlers');

    // Assess
    expect(files.every((f) => f.endsWith('.ts'))).toBe(true);
    expect(missing).toThrow('handler "validate-change" has no file /nonexistent/handlers/validate-change.ts');
  });
});
