import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  type Parameter,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { apply } from '../../functions/cli/commands/apply.ts';
import { main } from '../../functions/cli/main.ts';
import { type DesiredParameter, SchemaRegistry } from '../../functions/core/registry.ts';
import { recordingIo } from '../support/command-io.ts';

const ssm = mockClient(SSMClient);

const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});
const SECRET = 'sk_live_apply-test-DO-NOT-PRINT';

function plain(environment: string): DesiredParameter[] {
  return registry.desiredParameters(environment).filter((p) => p.parameterType === 'String');
}

const asStored = (p: { name: string; value: string }, type = 'String'): Parameter => ({
  Name: p.name,
  Value: p.value,
  Type: type as Parameter['Type'],
  Version: 3,
});

/**
 * Parameter Store as the tests seed it: staging has one plain value changed and one missing, plus an
 * unmanaged parameter and a SecureString; production matches the desired state. Each path answers in
 * two pages (the first one empty, as SSM may do), so the scan must follow NextToken.
 */
function seed() {
  const staging = plain('staging');
  const production = plain('production');
  const [changed, missing, ...rest] = staging;
  if (!changed || !missing) throw new Error('the example organisation needs two plain staging parameters');
  const stagingStored = [
    asStored({ name: changed.name, value: `${changed.value}-edited-by-hand` }),
    ...rest.map((p) => asStored(p)),
    asStored({ name: '/config/staging/orders/unmanaged', value: 'left alone' }),
    asStored({ name: '/config/staging/payments/api-key', value: SECRET }, 'SecureString'),
  ];
  const pages: Record<string, Parameter[][]> = {
    '/config/staging': [[], stagingStored.slice(0, 2), stagingStored.slice(2)],
    '/config/production': [[], production.map((p) => asStored(p))],
  };
  ssm.on(GetParametersByPathCommand).callsFake((input: { Path: string; NextToken?: string }) => {
    const path = pages[input.Path] ?? [[]];
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const next = index + 1 < path.length ? String(index + 1) : undefined;
    return { Parameters: path[index] ?? [], ...(next === undefined ? {} : { NextToken: next }) };
  });
  ssm.on(PutParameterCommand).resolves({ Version: 4, Tier: 'Standard' });
  return { changed, missing, staging, production };
}

function paths(): string[] {
  return ssm.commandCalls(GetParametersByPathCommand).map((call) => call.args[0].input.Path ?? '');
}

describe('Command: steward apply', () => {
  beforeEach(() => {
    ssm.reset();
    // No break-glass override is recorded (apply looks for them with one DescribeParameters scan).
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
  });

  it('prints the writes of a dry run and writes nothing', async () => {
    // Prepare
    const { changed, missing, production } = seed();
    const { io: commandIo, out } = recordingIo();

    // Act
    const code = await apply(['--dry-run'], commandIo);

    // Assess
    expect(code).toBe(0);
    expect(out).toEqual([
      `would write ${changed.name}`,
      `would write ${missing.name}`,
      `staging: 2 to write, ${plain('staging').length - 2} unchanged`,
      `production: 0 to write, ${registry.desiredParameters('production').length} unchanged`,
    ]);
    expect(production.length).toBeGreaterThan(0);
    expect(ssm).not.toReceiveCommand(PutParameterCommand);
    // Every page of both environments was read, undecrypted.
    expect(paths()).toEqual([
      '/config/staging',
      '/config/staging',
      '/config/staging',
      '/config/production',
      '/config/production',
    ]);
    expect(ssm).toReceiveCommandWith(GetParametersByPathCommand, {
      Path: '/config/staging',
      Recursive: true,
      WithDecryption: false,
      NextToken: '2',
    });
  });

  it('shows progress on stderr only when it is a terminal, never on stdout', async () => {
    // Prepare
    seed();
    const terminal = { isTTY: true, written: [] as string[], write: (t: string) => terminal.written.push(t) };
    const piped = { isTTY: false, written: [] as string[], write: (t: string) => piped.written.push(t) };
    const onTerminal = recordingIo();
    const whenPiped = recordingIo();

    // Act
    await apply(['--rate', '1000'], { ...onTerminal.io, stderr: terminal });
    ssm.reset();
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    seed();
    await apply(['--rate', '1000'], { ...whenPiped.io, stderr: piped });

    // Assess
    expect(terminal.written[0]).toMatch(/^\r.\[2Ksteward apply: staging 1\/2 written at 1000\/s/);
    expect(terminal.written[0]?.startsWith('\r\x1b[2K')).toBe(true);
    expect(terminal.written.at(-1)).toBe('\r\x1b[2K');
    expect(piped.written).toEqual([]);
    expect(onTerminal.out).toEqual(whenPiped.out);
    expect(onTerminal.out.join('\n')).not.toContain('\x1b');
  });

  it('exits 4 naming the call and the parameter when Parameter Store refuses a write, never the value', async () => {
    // Prepare
    const { changed } = seed();
    ssm.on(PutParameterCommand).rejects(
      // An SDK message may quote the rejected value; here a marker stands for it.
      Object.assign(new Error('Value quoted-value-DO-NOT-PRINT is not allowed'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { io: commandIo, err } = recordingIo();

    // Act
    const code = await main(['apply', '--rate', '1000'], commandIo);

    // Assess
    expect(code).toBe(4);
    const stderr = err.join('\n');
    expect(stderr).toContain(
      `steward apply: AWS or network error: PutParameter: access denied to ${changed.name}`,
    );
    expect(stderr).toContain('cause: AccessDeniedException');
    expect(stderr).not.toContain('quoted-value-DO-NOT-PRINT');
  });

  it('writes exactly the plain parameters that differ, with Overwrite, and nothing else', async () => {
    // Prepare
    const { changed, missing } = seed();
    const { io: commandIo, out } = recordingIo();

    // Act
    const code = await apply(['--rate', '1000'], commandIo);

    // Assess
    expect(code).toBe(0);
    const puts = ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input);
    expect(puts).toEqual([
      { Name: changed.name, Value: changed.value, Type: 'String', Overwrite: true },
      { Name: missing.name, Value: missing.value, Type: 'String', Overwrite: true },
    ]);
    expect(ssm).not.toReceiveCommand(DeleteParameterCommand);
    expect(out).toEqual([
      `wrote ${changed.name}`,
      `wrote ${missing.name}`,
      `steward apply: 2 written, ${plain('staging').length - 2 + plain('production').length} unchanged`,
    ]);
  });

  it('limits reads and writes to the environment --env names', async () => {
    // Prepare
    const { changed, missing } = seed();
    const { io: commandIo, out } = recordingIo();

    // Act
    const code = await apply(['--env', 'production', '--rate', '1000'], commandIo);
    const stagingCode = await apply(['--env', 'staging', '--dry-run'], recordingIo().io);

    // Assess
    expect([code, stagingCode]).toEqual([0, 0]);
    expect(ssm).not.toReceiveCommand(PutParameterCommand);
    expect(paths()).toEqual([
      '/config/production',
      '/config/production',
      '/config/staging',
      '/config/staging',
      '/config/staging',
    ]);
    expect(out).toEqual([
      `steward apply: 0 written, ${registry.desiredParameters('production').length} unchanged`,
    ]);
    expect(out.join('\n')).not.toContain(changed.name);
    expect(out.join('\n')).not.toContain(missing.name);
  });

  it('never prints a stored or desired SecureString value', async () => {
    // Prepare
    seed();
    const dry = recordingIo();
    const real = recordingIo();

    // Act
    await apply(['--dry-run'], dry.io);
    await apply(['--rate', '1000'], real.io);

    // Assess
    const printed = [...dry.out, ...dry.err, ...real.out, ...real.err].join('\n');
    expect(printed).not.toContain(SECRET);
    for (const secure of registry.desiredParameters().filter((p) => p.parameterType === 'SecureString')) {
      expect(printed).not.toContain(secure.value);
    }
    const written = ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input.Type);
    expect(written.every((type) => type === 'String')).toBe(true);
  });

  it.each([
    [['--env', 'qa'], 'unknown environment "qa" (known: staging, production)'],
    [['--rate', 'fast'], '--rate must be a positive number'],
    [['--rate', '0'], '--rate must be a positive number'],
    [['--rate=-5'], '--rate must be a positive number'],
    [['--rate', ''], '--rate must be a positive number'],
    [['--rate', 'Infinity'], '--rate must be a positive number'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
    [['production'], 'Unexpected argument'],
  ])('exits 2 with usage for %j', async (argv, message) => {
    // Prepare
    seed();
    const { io: commandIo, err } = recordingIo();

    // Act
    const code = await main(['apply', ...argv], commandIo);

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(message);
    expect(err.join('\n')).toContain('usage: steward apply [--env E]');
    expect(err.join('\n')).toContain('run "steward apply --help" for the options');
    expect(ssm).not.toReceiveCommand(GetParametersByPathCommand);
    expect(ssm).not.toReceiveCommand(PutParameterCommand);
  });
});
