/**
 * The first invocation of each handler, as the cold-start bench measures it: a fresh Node.js
 * process imports the bundle and calls the handler once on a representative event, every AWS call
 * answered by the local endpoint of `fake-aws.ts` (AWS_ENDPOINT_URL). The events are the AWS shapes
 * of ../shared/aws-events, wrapped the way each function receives them.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { organisation } from '../config/index.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';

const run = promisify(execFile);
const awsEvent = (file: string): unknown =>
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, '..', 'shared', 'aws-events', file), 'utf8'));

/** What a handler is called with, and what it needs in its environment to reach the fake endpoint. */
export interface InvocationCase {
  readonly event: unknown;
  readonly environment?: Record<string, string>;
}

const sqsRecord = (body: unknown, messageId = 'record-1') => ({
  messageId,
  receiptHandle: 'receipt-1',
  body: JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1767000000000',
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: '1767000000100',
    MessageGroupId: 'production#orders',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:config-steward-changes',
  awsRegion: 'eu-west-1',
});

/**
 * The representative event of every handler, by handler name; a handler missing here is imported
 * but not invoked (the table says so). Add a row when a handler is added.
 */
export function invocationCases(endpoint: string): Record<string, InvocationCase> {
  const deliveryQueue = {
    STEWARD_DELIVERY_QUEUE_URL: `${endpoint}/123456789012/config-steward-delivery.fifo`,
  };
  return {
    // One console edit, as the change queue delivers it.
    'validate-change': {
      event: { Records: [sqsRecord(awsEvent('ssm-parameter-change-update.json'))] },
      environment: deliveryQueue,
    },
    // The delivery validate-change requests for that edit.
    'deliver-changes': {
      event: {
        Records: [
          sqsRecord({
            kind: 'deliver',
            service: 'orders',
            environment: 'production',
            triggeringEventIds: ['6a7e4feb-b491-4cf7-a9f1-bf3703497718'],
          }),
        ],
      },
      environment: deliveryQueue,
    },
    'drift-job': { event: awsEvent('scheduler-nightly.json') },
    'flag-expiry-job': { event: awsEvent('scheduler-nightly.json') },
    'rotate-secret': { event: awsEvent('secretsmanager-rotation-create.json') },
    // AppConfig validating the orders document as config/ composes it (ids of functionEnvironment()).
    'appconfig-validator': {
      event: {
        ...(awsEvent('appconfig-lambda-validator.json') as object),
        applicationId: 'app-orders',
        configurationProfileId: 'doc',
        content: Buffer.from(JSON.stringify(desiredOrdersDocument())).toString('base64'),
      },
    },
    // The stack's first deploy: CloudFormation asks for the desired parameters.
    'reconcile-parameters': {
      event: {
        RequestType: 'Create',
        ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:reconcile',
        ResponseURL: `${endpoint}/cloudformation-response`,
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/config-steward/1',
        RequestId: 'request-1',
        LogicalResourceId: 'DesiredParameters',
        ResourceType: 'Custom::DesiredParameters',
        ResourceProperties: { ServiceToken: 'arn', WritesPerSecond: '1000' },
      },
      environment: deliveryQueue,
    },
    'orders-api': {
      event: { queryStringParameters: { customer: 'customer-42' } },
      environment: { AWS_APPCONFIG_EXTENSION_HTTP_PORT: new URL(endpoint).port },
    },
  };
}

function desiredOrdersDocument(): Record<string, unknown> {
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: 'config',
    environments: ['production'],
  });
  const composed = registry.compose('orders', 'production');
  if (!composed.ok) throw new Error(`config/ does not compose orders: ${JSON.stringify(composed.issues)}`);
  return composed.document;
}

/** One fresh process: its cold import, and its first invocation (import + first handler call). */
export interface ColdSample {
  readonly importMs: number;
  /**
   * CPU time of the import (user + system, all threads): on a loaded machine wall time mostly
   * measures the wait for a core, CPU time the work itself.
   */
  readonly importCpuMs: number;
  /** Import plus the first handler call; undefined when the handler was not invoked. */
  readonly firstInvocationMs?: number;
  /** `ok`, or what went wrong (an error name, or the batch items that failed). */
  readonly outcome: string;
}

const RESULT_MARKER = '\n@@cold-sample@@';

const LAMBDA_CONTEXT = `{
  functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench',
  awsRequestId: 'request-1', logGroupName: '/aws/lambda/bench', logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 300000,
  done() {}, fail() {}, succeed() {},
}`;

/**
 * Imports `file` in a fresh Node.js process with `env`, and calls its handler once with `event`
 * unless it is undefined.
 */
export async function coldSample(
  file: string,
  env: Record<string, string>,
  event: unknown,
): Promise<ColdSample> {
  const script = `
const started = performance.now();
const cpuStarted = process.cpuUsage();
const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const imported = performance.now();
const cpu = process.cpuUsage(cpuStarted);
let outcome = 'ok';
let invoked;
if (${event !== undefined}) {
  try {
    const result = await handler(${JSON.stringify(event)}, ${LAMBDA_CONTEXT});
    const failed = result?.batchItemFailures?.length ?? 0;
    if (failed > 0) outcome = failed + ' batch item(s) failed';
    else if (result?.status === 'FAILED') outcome = 'FAILED: ' + result.reason;
  } catch (error) {
    outcome = error.name + ': ' + String(error.message).slice(0, 80);
  }
  invoked = performance.now();
}
process.stdout.write(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ importMs: imported - started, importCpuMs: (cpu.user + cpu.system) / 1000, firstInvocationMs: invoked === undefined ? undefined : invoked - started, outcome }));
process.exit(0);
`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`importing ${path.basename(path.dirname(file))} failed: ${error.stderr?.split('\n')[0]}`);
  });
  // Metrics flush their EMF line to stdout first: the sample follows the last marker.
  return JSON.parse(stdout.slice(stdout.lastIndexOf(RESULT_MARKER) + RESULT_MARKER.length)) as ColdSample;
}
