/**
 * `steward invoke <handler> --event FILE`: run one of the stack's handlers locally, with the environment
 * the stack gives it (derived from the settings), against whatever `AWS_ENDPOINT_URL` names, and print
 * what it returned or threw, then one line per event it published (detail type and identifying
 * fields, heard on the EventBridge publisher's diagnostics channel; never a value).
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSettings, runtimeEnvironment } from '../../../lib/settings.ts';
import { PUBLISHED_EVENT_CHANNEL, type PublishedEvent } from '../../adapters/eventbridge-publisher.ts';
import { parseCommandArgs } from '../arguments.ts';
import { type CommandIo, UsageError } from '../main.ts';

export interface InvokableHandler {
  /** Environment variables the stack sets for this function beyond the runtime settings. */
  readonly environment?: (env: Record<string, string | undefined>) => Record<string, string>;
  /** The function's timeout in the stack, in seconds. */
  readonly timeoutSeconds: number;
}

/** Variables passed through from the caller's environment when set (the stack computes them from resources). */
const PASS_THROUGH = [
  'STEWARD_APPCONFIG',
  'STEWARD_APPCONFIG_PREFIX',
  'STEWARD_VALIDATOR_PRINCIPAL',
  'STEWARD_RECONCILER_PRINCIPAL',
  // validate-change queues its requests there when set; without it they run in the same process.
  'STEWARD_DELIVERY_QUEUE_URL',
];

/**
 * The stack's handlers, by name; each lives in `functions/handlers/<name>.ts` and exports `handler`.
 * Add a line when a handler lands.
 */
export const HANDLERS: Readonly<Record<string, InvokableHandler>> = {
  'validate-change': { timeoutSeconds: 120 },
  'appconfig-validator': { timeoutSeconds: 15 },
  'drift-job': { timeoutSeconds: 900 },
  'flag-expiry-job': { timeoutSeconds: 300 },
  'rotate-secret': { timeoutSeconds: 120 },
  'reconcile-parameters': { timeoutSeconds: 900 },
  'deliver-changes': { timeoutSeconds: 180 },
};

const HANDLERS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'handlers');

/** The file of a handler, checked to exist. */
export function handlerFile(name: string, handlersDir = HANDLERS_DIR): string {
  if (!HANDLERS[name]) {
    throw new UsageError(`unknown handler "${name}" (known: ${Object.keys(HANDLERS).join(', ')})`);
  }
  const file = path.join(handlersDir, `${name}.ts`);
  if (!existsSync(file)) throw new UsageError(`handler "${name}" has no file ${file}`);
  return file;
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export async function invoke(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(argv);
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError('expected exactly one handler name');
  if (!values.event) throw new UsageError('--event FILE is required');
  const file = handlerFile(name);
  const event = readEvent(values.event);
  const spec = HANDLERS[name]!;

  const settings = loadSettings(path.resolve(values.settings ?? 'config/settings.json'));
  const environment: Record<string, string> = {
    // As Lambda sets it; adapters log through Powertools only inside a function.
    AWS_LAMBDA_FUNCTION_NAME: `config-steward-${name}`,
    POWERTOOLS_SERVICE_NAME: `config-steward-${name}`,
    POWERTOOLS_METRICS_NAMESPACE: 'ConfigSteward',
    ...runtimeEnvironment(settings),
    ...Object.fromEntries(PASS_THROUGH.flatMap((key) => (io.env[key] ? [[key, io.env[key]]] : []))),
    ...spec.environment?.(io.env),
  };
  // Handlers read their environment at module scope, so it is in place before the import.
  Object.assign(process.env, environment);
  const module = (await import(pathToFileURL(file).href)) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') throw new UsageError(`${file} exports no handler`);

  const timeoutSeconds = values.timeout ? Number(values.timeout) : spec.timeoutSeconds;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const context = {
    functionName: `config-steward-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:config-steward-${name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/config-steward-${name}`,
    logStreamName: 'steward-invoke',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const endpoint = io.env.AWS_ENDPOINT_URL ?? 'the AWS default endpoints';
  io.err(`steward invoke: ${name} (${path.relative(process.cwd(), file)}) against ${endpoint}`);
  const published: PublishedEvent[] = [];
  const listen = (message: unknown) => published.push(message as PublishedEvent);
  subscribe(PUBLISHED_EVENT_CHANNEL, listen);
  try {
    const result = await module.handler(event, context);
    io.out(JSON.stringify({ handler: name, ok: true, result: result ?? null }, null, 2));
    return 0;
  } catch (error) {
    // Handler errors name things, never values (functions/core/errors.ts).
    const { name: errorName, message } = error as Error;
    io.out(JSON.stringify({ handler: name, ok: false, error: { name: errorName, message } }, null, 2));
    return 1;
  } finally {
    unsubscribe(PUBLISHED_EVENT_CHANNEL, listen);
    // Events published before a failure are reported too: they reached the bus.
    for (const entry of published) io.out(publishedLine(entry));
  }
}

/**
 * One summary line per published event, e.g.
 * `published Config Change Accepted: parameterName=/config/production/orders/max-retries service=orders eventId=…`
 */
export function publishedLine({ detailType, eventId, fields }: PublishedEvent): string {
  const identity = Object.entries(fields).map(([field, value]) => `${field}=${value}`);
  if (eventId) identity.push(`eventId=${eventId}`);
  return `published ${detailType}:${identity.length > 0 ? ` ${identity.join(' ')}` : ''}`;
}

function readEvent(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read event file ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`event file ${file} is not JSON`);
  }
}

function parseOptions(argv: string[]) {
  return parseCommandArgs({
    args: argv,
    options: {
      event: { type: 'string' },
      settings: { type: 'string' },
      timeout: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
}
