/**
 * A local HTTP endpoint standing in for AWS in the first-invocation bench (AWS_ENDPOINT_URL points
 * every SDK client at it). It answers the calls the handlers make with small canned responses, the
 * way the real services shape them, and records each request so the bench can make a baseline
 * handler send the same first call. Not a simulator: it holds no state and checks nothing.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the SDK sent it: the JSON-protocol target (`AmazonSSM.GetParameter`) or REST path. */
export interface RecordedCall {
  /** `AmazonSSM.GetParameter`, or `GET /applications/...` for REST services (AppConfig). */
  readonly operation: string;
  /** The JSON body of a JSON-protocol call: exactly the command's input. */
  readonly input: Record<string, unknown>;
}

type Input = Record<string, unknown>;
const NOW = 1_767_000_000; // epoch seconds, a fixed "last modified" for every canned parameter
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function parameter(name: string, version: number) {
  return {
    Name: name,
    Type: 'String',
    Value: '3',
    Version: version,
    LastModifiedDate: NOW,
    ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`,
    DataType: 'text',
    Labels: [],
  };
}

/** Canned answers of the JSON-protocol operations the handlers call; anything else gets `{}`. */
const JSON_ANSWERS: Record<string, (input: Input) => unknown> = {
  'AmazonSSM.GetParameter': (input) => ({ Parameter: parameter(String(input.Name), 2) }),
  'AmazonSSM.GetParameters': (input) => ({
    Parameters: ((input.Names as string[]) ?? []).map((name) => parameter(name, 1)),
    InvalidParameters: [],
  }),
  'AmazonSSM.GetParameterHistory': (input) => ({
    Parameters: [parameter(String(input.Name), 1), parameter(String(input.Name), 2)],
  }),
  'AmazonSSM.GetParametersByPath': () => ({ Parameters: [] }),
  'AmazonSSM.DescribeParameters': () => ({ Parameters: [] }),
  'AmazonSSM.PutParameter': () => ({ Version: 3, Tier: 'Standard' }),
  'AmazonSSM.LabelParameterVersion': () => ({ InvalidLabels: [], ParameterVersion: 2 }),
  'AmazonSSM.DescribeOpsItems': () => ({ OpsItemSummaries: [] }),
  'AmazonSSM.CreateOpsItem': () => ({
    OpsItemId: 'oi-0123456789ab',
    OpsItemArn: 'arn:aws:ssm:eu-west-1:123456789012:opsitem/oi-0123456789ab',
  }),
  'AWSEvents.PutEvents': (input) => ({
    FailedEntryCount: 0,
    Entries: ((input.Entries as unknown[]) ?? []).map((_, i) => ({ EventId: `event-${i}` })),
  }),
  'TrentService.GenerateMac': (input) => ({
    Mac: Buffer.alloc(32, 7).toString('base64'),
    MacAlgorithm: input.MacAlgorithm,
    KeyId: input.KeyId,
  }),
  // The SQS client checks the MD5 of every body it sent.
  'AmazonSQS.SendMessage': (input) => ({
    MessageId: 'message-1',
    MD5OfMessageBody: md5(String(input.MessageBody)),
  }),
  'AmazonSQS.SendMessageBatch': (input) => ({
    Successful: ((input.Entries as { Id: string; MessageBody: string }[]) ?? []).map((entry, i) => ({
      Id: entry.Id,
      MessageId: `message-${i}`,
      MD5OfMessageBody: md5(entry.MessageBody),
    })),
    Failed: [],
  }),
  'secretsmanager.DescribeSecret': (input) => ({
    ARN: input.SecretId,
    Name: 'config/production/orders/db',
    RotationEnabled: true,
    // The pending version of ../shared/aws-events/secretsmanager-rotation-create.json.
    VersionIdsToStages: {
      'version-current': ['AWSCURRENT'],
      '3b5e7c1a-2d4f-4e6a-8b9c-0d1e2f3a4b5c': ['AWSPENDING'],
    },
  }),
  'secretsmanager.GetSecretValue': (input) => ({
    ARN: input.SecretId,
    Name: 'config/production/orders/db',
    VersionId: 'version-current',
    SecretString: JSON.stringify({
      engine: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      dbname: 'orders',
      username: 'orders_app',
      password: 'bench-only-not-a-secret',
    }),
    VersionStages: ['AWSCURRENT'],
  }),
  'secretsmanager.GetRandomPassword': () => ({ RandomPassword: 'x'.repeat(32) }),
  'secretsmanager.PutSecretValue': (input) => ({ ARN: input.SecretId, VersionId: input.ClientRequestToken }),
};

/** The orders service's composed document, as the extension serves it to orders-api. */
const ORDERS_DOCUMENT = { 'checkout-enabled': true, currency: 'EUR', 'page-size': 20 };

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * @example
 * const aws = await startFakeAws();
 * spawn(node, [script], { env: { AWS_ENDPOINT_URL: aws.url } });
 * aws.calls; // what the child sent
 * await aws.close();
 */
export async function startFakeAws(): Promise<{
  url: string;
  calls: RecordedCall[];
  close: () => Promise<void>;
}> {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string') {
        const input = body ? (JSON.parse(body) as Input) : {};
        calls.push({ operation: target, input });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(JSON_ANSWERS[target]?.(input) ?? {}));
        return;
      }
      // The AppConfig Lambda extension (AWS_APPCONFIG_EXTENSION_HTTP_PORT), for the example consumer.
      if (request.method === 'GET' && request.url?.includes('/configurations/')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(request.url.split('?')[0]!.endsWith('/flags') ? {} : ORDERS_DOCUMENT));
        return;
      }
      // REST services (AppConfig): an empty list for reads, a first version or deployment for writes.
      calls.push({ operation: `${request.method} ${request.url?.split('?')[0]}`, input: {} });
      if (request.method === 'POST' && request.url?.includes('/hostedconfigurationversions')) {
        response.writeHead(201, { 'version-number': '1', 'content-type': 'application/json' });
        response.end(body);
        return;
      }
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(request.method === 'GET' ? { Items: [] } : { DeploymentNumber: 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
