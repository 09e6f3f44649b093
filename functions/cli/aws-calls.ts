/**
 * The AWS side of the CLI: client settings that fail fast, a record of the calls that failed, and a
 * description of each failure an operator can act on (the call, the resource, the cause).
 *
 * Why the CLI differs from the Lambda handlers: a Lambda retries a refused connection with backoff
 * because the next attempt may well succeed. An operator at a terminal (or CI) pointing the CLI at a
 * wrong `AWS_ENDPOINT_URL` or without network wants to hear so in seconds. `steward drift` sent one
 * request per scan (DescribeParameters, the environment, then each service alone), each retried up to
 * 8 times with exponential backoff (`BULK_READ_CLIENT_CONFIG`): 16–20 s against a closed port. Here a
 * connection that cannot be established (refused, unknown host, unreachable, connect timeout) is not
 * retried, and every later request to the same endpoint fails at once. Throttling and server errors
 * keep the SDK's retries. Endpoints are never set here: `AWS_ENDPOINT_URL` stays the SDK's business.
 */

/** How long the CLI waits for a TCP connection before calling an endpoint unreachable. */
export const CONNECT_TIMEOUT_MS = 3000;

/** The part of an SDK client the CLI instruments: its middleware stack (public SDK API). */
export interface InstrumentableClient {
  readonly middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string; priority: 'high' }): void;
    addRelativeTo(
      middleware: unknown,
      options: { name: string; relation: 'before'; toMiddleware: string },
    ): void;
  };
}

/** One AWS call that failed, as the CLI saw it on the way out of the client. */
export interface FailedCall {
  /** The API operation, e.g. `GetParametersByPath`. */
  readonly operation: string;
  /** What the call was about: a parameter path or name, a secret, an application; undefined if none. */
  readonly resource?: string;
  readonly error: unknown;
  /** The call wrote a value, so the SDK's message may quote it: only the error's name is shown. */
  readonly withholdMessage: boolean;
}

/**
 * Client settings for a CLI client: `base` plus a connect timeout on the request handler.
 *
 * @example
 * const ssm = aws.instrument(new SSMClient(cliClientConfig(BULK_READ_CLIENT_CONFIG)));
 */
export function cliClientConfig<T extends object>(
  base?: T,
): T & { requestHandler: { connectionTimeout: number } } {
  return { ...(base ?? ({} as T)), requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS } };
}

/**
 * The AWS calls of one CLI run: {@link instrument} a client to record its failed calls and to fail
 * fast on connection failures; {@link failures} lists them afterwards.
 *
 * @example
 * const aws = new AwsCalls();
 * const ssm = aws.instrument(new SSMClient(cliClientConfig()));
 */
export class AwsCalls {
  private readonly failed: FailedCall[] = [];
  /** Endpoints (`protocol//host:port`) a connection to failed this run, with that failure. */
  private readonly unreachable = new Map<string, EndpointUnreachableError>();
  /** Requests let through towards an endpoint (to signing and the HTTP handler), for tests and diagnostics. */
  attempts = 0;

  get failures(): readonly FailedCall[] {
    return this.failed;
  }

  instrument<C extends InstrumentableClient>(client: C): C {
    client.middlewareStack.add(this.recordFailures(), {
      step: 'initialize',
      name: 'stewardCliRecordFailures',
      priority: 'high',
    });
    // Between the retry middleware and signing: what this throws is what the retry strategy judges,
    // and a missing credential (signing) passes through it too.
    client.middlewareStack.addRelativeTo(this.failFast(), {
      name: 'stewardCliFailFast',
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
    });
    return client;
  }

  private recordFailures() {
    return (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: unknown }) => {
        try {
          return await next(args);
        } catch (error) {
          this.failed.push({
            operation: (context.commandName ?? 'AWS call').replace(/Command$/, ''),
            resource: resourceOf(args.input),
            error,
            withholdMessage: carriesValue(args.input),
          });
          throw error;
        }
      };
  }

  private failFast() {
    return (next: (args: { request?: unknown }) => Promise<unknown>) =>
      async (args: { request?: unknown }) => {
        const endpoint = endpointOf(args.request);
        const known = endpoint === undefined ? undefined : this.unreachable.get(endpoint);
        if (known) throw known;
        this.attempts++;
        try {
          return await next(args);
        } catch (error) {
          const failure = connectionFailure(error);
          if (failure === undefined || endpoint === undefined) throw error;
          const unreachable = new EndpointUnreachableError(endpoint, failure, error);
          this.unreachable.set(endpoint, unreachable);
          throw unreachable;
        }
      };
  }
}

/**
 * A connection to an endpoint could not be established. Deliberately without `cause` and `code`:
 * the SDK's retry strategy looks through both for transient network errors and would retry it.
 */
export class EndpointUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    /** e.g. `connection refused (ECONNREFUSED)` */
    readonly reason: string,
    /** The error the HTTP handler raised. */
    readonly connectError: unknown,
  ) {
    super(`${endpoint}: ${reason}`);
    this.name = 'EndpointUnreachableError';
  }
}

/** Node.js error codes of a connection that never came up (not of one that broke mid-request). */
const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** The reason a connection could not be established, or undefined for any other error. */
function connectionFailure(error: unknown): string | undefined {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  if (code && CONNECT_FAILURES[code]) return `${CONNECT_FAILURES[code]} (${code})`;
  // @smithy/node-http-handler's connect timeout: a TimeoutError whose message says so.
  if (name === 'TimeoutError' && /did not establish a connection/.test(message ?? '')) {
    return `no connection within ${CONNECT_TIMEOUT_MS} ms (TimeoutError)`;
  }
  return undefined;
}

function endpointOf(request: unknown): string | undefined {
  const { protocol, hostname, port } = (request ?? {}) as {
    protocol?: string;
    hostname?: string;
    port?: number;
  };
  if (!hostname) return undefined;
  const defaultPort = protocol === 'http:' ? 80 : 443;
  return `${protocol ?? 'https:'}//${hostname}:${port ?? defaultPort}`;
}

/** Input fields that name what a call is about, most specific first. */
const RESOURCE_FIELDS = [
  'Name',
  'Path',
  'SecretId',
  'Names',
  'ApplicationId',
  'ConfigurationProfileId',
  'EventBusName',
  'ParameterFilters',
] as const;

function resourceOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const fields = input as Record<string, unknown>;
  for (const field of RESOURCE_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' && value !== '') return value;
    if (field === 'Names' && Array.isArray(value) && value.length > 0) {
      return value.length === 1 ? String(value[0]) : `${value[0]} (+${value.length - 1} more)`;
    }
    if (field === 'ParameterFilters' && Array.isArray(value)) {
      const path = (value as { Key?: string; Values?: string[] }[]).find((f) => f.Key === 'Path');
      if (path?.Values?.[0]) return path.Values[0];
    }
  }
  const entries = fields['Entries'];
  if (Array.isArray(entries) && entries.length > 0) {
    const bus = (entries[0] as { EventBusName?: string }).EventBusName;
    if (bus) return `event bus ${bus}`;
  }
  return undefined;
}

/** Fields of an input that carry a value to be written: an SDK message about such a call may quote it. */
const VALUE_FIELDS = ['Value', 'SecretString', 'SecretBinary', 'Content'];

/** Names of errors that mean "not there", which adapters turn into results; not worth reporting. */
const ABSENCE = new Set(['ParameterNotFound', 'ResourceNotFoundException', 'ParameterVersionNotFound']);

/**
 * One line per distinct cause among the failed calls, naming the first call and resource that met it, e.g.
 * `DescribeParameters /config: connection refused (ECONNREFUSED) at http://127.0.0.1:9; also GetParametersByPath /config/staging`.
 *
 * @example
 * for (const line of describeFailedCalls(aws.failures)) io.err(`  ${line}`);
 */
export function describeFailedCalls(failures: readonly FailedCall[], limit = 10): string[] {
  const byCause = new Map<string, FailedCall[]>();
  for (const call of failures) {
    if (ABSENCE.has((call.error as { name?: string }).name ?? '')) continue;
    const key = describeCall(call);
    byCause.set(key, [...(byCause.get(key) ?? []), call]);
  }
  const lines = [...byCause.entries()].map(([cause, calls]) => {
    const subjects = [...new Set(calls.map(subjectOf))];
    const others = subjects.slice(1, 4);
    const rest = subjects.length - 1 - others.length;
    const also =
      others.length === 0 ? '' : `; also ${others.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
    return `${subjects[0]}: ${cause}${also}`;
  });
  return lines.length > limit
    ? [...lines.slice(0, limit), `… and ${lines.length - limit} more causes`]
    : lines;
}

function subjectOf(call: FailedCall): string {
  return call.resource === undefined ? call.operation : `${call.operation} ${call.resource}`;
}

function describeCall(call: FailedCall): string {
  return describeAwsCause(call.error, { withholdServiceMessage: call.withholdMessage });
}

/**
 * What went wrong with an AWS call, in the operator's terms, from the error or the first cause in its
 * chain that says more: a refused connection with host and port, no region, no credentials, or the
 * SDK error's name and message (HTTP status). Never a value: for errors of calls that wrote one, the
 * adapters already withhold the message.
 *
 * @example
 * describeAwsCause(error); // 'connection refused (ECONNREFUSED) at http://127.0.0.1:4566'
 */
export function describeAwsCause(error: unknown, options: { withholdServiceMessage?: boolean } = {}): string {
  const chain = causeChain(error);
  for (const link of chain) {
    const described = describeOne(link, options.withholdServiceMessage === true);
    if (described !== undefined) return described;
  }
  const last = chain.at(-1) as { name?: string; message?: string } | undefined;
  return `${last?.name ?? 'Error'}: ${last?.message ?? String(error)}`;
}

function describeOne(error: unknown, withholdServiceMessage: boolean): string | undefined {
  if (error instanceof EndpointUnreachableError) return `${error.reason} at ${error.endpoint}`;
  const { name, code, message, $metadata, address, port, hostname } = error as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    address?: string;
    port?: number;
    hostname?: string;
  };
  if (code && CONNECT_FAILURES[code]) {
    const where = address ? `${address}${port ? `:${port}` : ''}` : hostname;
    return `${CONNECT_FAILURES[code]} (${code})${where ? ` at ${where}` : ''}`;
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return (
      'no credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in ' +
      `(aws sso login) (${name}: ${message})`
    );
  }
  if (message === 'Region is missing') return 'no region: set AWS_REGION (or a region in your AWS profile)';
  if ($metadata?.httpStatusCode !== undefined) {
    // The service answered a call that carried a value: its message may quote that value.
    const text = withholdServiceMessage ? 'message withheld: the call carried a value' : message;
    return `${name}: ${text} (HTTP ${$metadata.httpStatusCode})`;
  }
  if (name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ECONNRESET') {
    return `${name}${code ? ` (${code})` : ''}: ${message}`;
  }
  return undefined;
}

/** The error and its causes, outermost first (at most 10 deep). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && link !== null && chain.length < 10;) {
    chain.push(link);
    link = (link as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * True when an error came from talking to AWS (or another network service): an SDK service error, a
 * network or credential failure, a missing region. Adapter errors count when their cause does.
 */
export function isAwsOrNetworkError(error: unknown): boolean {
  return causeChain(error).some((link) => {
    if (link instanceof EndpointUnreachableError) return true;
    const { name, code, message, $metadata, $fault } = link as {
      name?: string;
      code?: string;
      message?: string;
      $metadata?: unknown;
      $fault?: unknown;
    };
    return (
      $metadata !== undefined ||
      $fault !== undefined ||
      (code !== undefined && (code in CONNECT_FAILURES || code === 'ETIMEDOUT' || code === 'ECONNRESET')) ||
      name === 'CredentialsProviderError' ||
      name === 'TokenProviderError' ||
      name === 'TimeoutError' ||
      message === 'Region is missing'
    );
  });
}

/** Whether an input carried a value to be written (so its error message may quote it). */
export function carriesValue(input: unknown): boolean {
  return typeof input === 'object' && input !== null && VALUE_FIELDS.some((field) => field in input);
}
