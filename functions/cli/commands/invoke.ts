/**
 * `steward invoke <handler> --event FILE`: run one of the stack's handlers locally, with the environment
 * and timeout the stack gives it, against whatever `AWS_ENDPOINT_URL` names, and print what it returned
 * or threw, then one line per event it published (detail type and identifying fields, heard on the
 * EventBridge publisher's diagnostics channel; never a value).
 *
 * The environment comes from the synthesized template when there is one (stack-template.ts): every
 * variable the stack sets, and the function's timeout. Variables CloudFormation computes from resources
 * are taken from the caller's environment, and those not set there are named. Without a template the
 * environment is derived from the settings, as the stack derives it, and the output says so.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadSettings, runtimeEnvironment } from '../../../lib/settings.ts';
import { AdapterError } from '../../ports/adapter-error.ts';
import { PUBLISHED_EVENT_CHANNEL, type PublishedEvent } from '../../adapters/eventbridge-publisher.ts';
import { ConfigurationError } from '../../core/errors.ts';
import { APPCONFIG_TARGETS_PATH_ENV, METRICS_NAMESPACE } from '../../core/names.ts';
import { parseCommandArgs } from '../arguments.ts';
import { isAwsOrNetworkError } from '../aws-calls.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';
import { DEFAULT_TEMPLATE, functionEnvironment, readStackTemplate } from '../stack-template.ts';

export interface InvokableHandler {
  /** The function's timeout in the stack, in seconds; used only when there is no template. */
  readonly timeoutSeconds: number;
}

/**
 * Variables the caller's environment may set even when the template states a value: ids the stack
 * computes, and the TLS mode of rotation (a local PostgreSQL has no RDS certificate).
 */
const PASS_THROUGH = [
  'STEWARD_APPCONFIG',
  'STEWARD_APPCONFIG_PREFIX',
  'STEWARD_VALIDATOR_PRINCIPAL',
  'STEWARD_POSTGRES_SSL',
  // Without it the handlers find the fingerprint key by its alias (core/fingerprint.ts).
  'STEWARD_FINGERPRINT_KEY',
  'STEWARD_RECONCILER_PRINCIPAL',
  // validate-change queues its requests there when set; without it they run in the same process.
  'STEWARD_DELIVERY_QUEUE_URL',
];

/**
 * The ids the stack's functions read from its parameters (`STEWARD_APPCONFIG_TARGETS_PATH`) may be
 * given as JSON instead, which the functions take first: against an emulator, the stack's parameters
 * are not there to read.
 */
const TARGETS_JSON = ['STEWARD_APPCONFIG', 'STEWARD_KILL_SWITCHES'];

/** Read by Node.js when a process starts: setting them in a running process changes nothing. */
const STARTUP_ONLY = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

/**
 * The stack's handlers, by name; each lives in `functions/handlers/<name>.ts` and exports `handler`.
 * Add a line when a handler lands. The timeouts equal the stack's (a test compares them).
 */
export const HANDLERS: Readonly<Record<string, InvokableHandler>> = {
  'validate-change': { timeoutSeconds: 120 },
  'appconfig-validator': { timeoutSeconds: 15 },
  'drift-job': { timeoutSeconds: 900 },
  'flag-expiry-job': { timeoutSeconds: 300 },
  'rotate-secret': { timeoutSeconds: 60 },
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

/** The function's environment as `invoke` will set it, and what it says about where it came from. */
export interface InvokeEnvironment {
  readonly variables: Record<string, string>;
  readonly timeoutSeconds: number;
  /** Lines for stderr: the source, variables taken from the caller, variables not known. */
  readonly notes: readonly string[];
  /** Variables the stack sets that could not be known here (not in the caller's environment either). */
  readonly missing: readonly string[];
}

/**
 * The environment of handler `name`: from the template when `templateFile` is given or the default
 * template exists, else from the settings.
 *
 * @example
 * const { variables, timeoutSeconds } = invokeEnvironment('flag-expiry-job', { env: process.env });
 */
export function invokeEnvironment(
  name: string,
  options: {
    env: Readonly<Record<string, string | undefined>>;
    templateFile?: string;
    settingsFile?: string;
  },
): InvokeEnvironment {
  const lambdaSet = { AWS_LAMBDA_FUNCTION_NAME: `config-steward-${name}` };
  const templateFile =
    options.templateFile ??
    (options.settingsFile === undefined && existsSync(DEFAULT_TEMPLATE) ? DEFAULT_TEMPLATE : undefined);
  if (templateFile === undefined) return fromSettings(name, options.env, options.settingsFile, lambdaSet);

  const template = readStackTemplate(templateFile);
  const fn = functionEnvironment(template, `config-steward-${name}`, options.env);
  if (!fn) {
    throw new ConfigurationError(
      `${templateFile} has no function for ${name} (POWERTOOLS_SERVICE_NAME=config-steward-${name}); ` +
        'synthesize again (npm run synth) or pass --settings',
    );
  }
  const variables: Record<string, string> = { ...lambdaSet };
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(fn.known)) {
    if (STARTUP_ONLY.includes(key)) skipped.push(key);
    else variables[key] = value;
  }
  const fromCaller: string[] = [];
  const missing: string[] = [];
  const passed = [
    ...PASS_THROUGH.filter((k) => k in fn.known),
    ...(APPCONFIG_TARGETS_PATH_ENV in fn.known ? TARGETS_JSON : []),
  ];
  for (const key of [...Object.keys(fn.unresolved), ...passed]) {
    const value = options.env[key];
    if (value !== undefined && value !== '') {
      variables[key] = value;
      fromCaller.push(key);
    } else if (key in fn.unresolved) {
      missing.push(key);
    }
  }
  const notes = [
    `environment and timeout (${fn.timeoutSeconds} s) of ${fn.logicalId} in ${templateFile}`,
    ...(fromCaller.length > 0 ? [`from your environment: ${fromCaller.join(', ')}`] : []),
    ...(missing.length > 0
      ? [
          'not known locally (the stack computes them from its resources; set them in your environment to pass them):',
          ...missing.map((key) => `  ${key} = ${fn.unresolved[key]}`),
        ]
      : []),
    ...(skipped.length > 0 ? [`not applied (read by Node.js at start-up only): ${skipped.join(', ')}`] : []),
  ];
  return { variables, timeoutSeconds: fn.timeoutSeconds, notes, missing };
}

function fromSettings(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  settingsFile: string | undefined,
  lambdaSet: Record<string, string>,
): InvokeEnvironment {
  const file = settingsFile ?? 'config/settings.json';
  const settings = loadSettings(path.resolve(file));
  const fromCaller = PASS_THROUGH.filter((key) => env[key]);
  const variables: Record<string, string> = {
    ...lambdaSet,
    POWERTOOLS_SERVICE_NAME: `config-steward-${name}`,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    ...runtimeEnvironment(settings),
    ...Object.fromEntries(fromCaller.map((key) => [key, env[key] as string])),
  };
  const timeoutSeconds = HANDLERS[name]!.timeoutSeconds;
  const reason = settingsFile === undefined ? `no synthesized template (${DEFAULT_TEMPLATE})` : '--settings';
  const notes = [
    `${reason}: environment derived from ${file}, timeout ${timeoutSeconds} s; of the variables the ` +
      `stack computes, only ${PASS_THROUGH.join(', ')} are taken from your environment; ` +
      "run npm run synth (or pass --template) for the stack's full environment",
    ...(fromCaller.length > 0 ? [`from your environment: ${fromCaller.join(', ')}`] : []),
  ];
  return { variables, timeoutSeconds, notes, missing: [] };
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** The options `steward invoke` accepts; its `--help` describes each (a test checks). */
export const invokeOptions = {
  event: { type: 'string' },
  template: { type: 'string' },
  settings: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export async function invoke(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseOptions(argv);
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError('expected exactly one handler name');
  if (!values.event) throw new UsageError('--event FILE is required');
  if (values.template !== undefined && values.settings !== undefined) {
    throw new UsageError('--template and --settings are alternatives: give one');
  }
  if (values.template !== undefined && !existsSync(values.template)) {
    throw new UsageError(`template file not found: ${values.template}`);
  }
  const timeoutOption = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutOption !== undefined && !(Number.isFinite(timeoutOption) && timeoutOption > 0)) {
    throw new UsageError('--timeout must be a positive number of seconds');
  }
  const file = handlerFile(name);
  const event = readEvent(values.event);
  const environment = invokeEnvironment(name, {
    env: io.env,
    templateFile: values.template,
    settingsFile: values.settings,
  });
  // Indented notes continue the line above them.
  for (const note of environment.notes) io.err(note.startsWith('  ') ? note : `steward invoke: ${note}`);

  // Handlers read their environment at module scope, so it is in place before the import.
  Object.assign(process.env, environment.variables);
  let module: { handler?: LambdaHandler };
  try {
    module = (await import(pathToFileURL(file).href)) as { handler?: LambdaHandler };
  } catch (error) {
    if (error instanceof ConfigurationError && environment.missing.length > 0) {
      throw new ConfigurationError(
        `${name} did not load: ${error.message} (not known locally: ${environment.missing.join(', ')}; ` +
          'set them in your environment)',
        { cause: error },
      );
    }
    throw error;
  }
  if (typeof module.handler !== 'function') throw new UsageError(`${file} exports no handler`);

  const timeoutSeconds = timeoutOption ?? environment.timeoutSeconds;
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
    return ExitCode.Clean;
  } catch (error) {
    // Handler errors name things, never values (functions/core/errors.ts).
    const { name: errorName, message } = error as Error;
    io.out(JSON.stringify({ handler: name, ok: false, error: { name: errorName, message } }, null, 2));
    return handlerFailureCode(error);
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

/** A handler that threw: an AWS or network failure (4), a configuration error (3), else its own failure (1). */
function handlerFailureCode(error: unknown): number {
  if (error instanceof AdapterError || isAwsOrNetworkError(error)) return ExitCode.AwsOrNetwork;
  if (error instanceof ConfigurationError) return ExitCode.Configuration;
  return ExitCode.Findings;
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
    options: invokeOptions,
    strict: true,
    allowPositionals: true,
  });
}
