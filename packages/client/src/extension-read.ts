/**
 * One read from the AppConfig Lambda extension over `node:http`. The extension is plain HTTP on
 * localhost (AWS's OpenAPI model of it: `GET /applications/{app}/environments/{env}/configurations/{profile}`
 * answers 200 with the document, 400, 404, 500 or 502 with a text error), so the global `fetch` buys
 * nothing here and costs every consumer's cold start: Node.js loads and compiles undici on the first
 * `fetch` of a process, about five times the CPU of the first `node:http` GET.
 */
import { get, type IncomingMessage } from 'node:http';
import { ExtensionUnavailableError, InvalidConfigDocumentError } from './errors.js';

/** The status and full body of one answer. */
interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * Read and JSON-parse one document from the extension, translating every failure into an
 * {@link ExtensionUnavailableError} (timeout, down, an answer cut short, 404, any other non-2xx) or an
 * {@link InvalidConfigDocumentError} (not JSON). Neither message carries the body.
 *
 * @example
 * const raw = await readFromExtension(extensionUrl(target), 3000);
 */
export async function readFromExtension(url: string, timeoutMs: number): Promise<unknown> {
  const where = url.replace(/^http:\/\/[^/]+/, '');
  const { status, body } = await answerOf(url, where, timeoutMs);
  if (status === 404) {
    throw new ExtensionUnavailableError(
      `the AppConfig extension does not know ${where} (404)`,
      'not-found',
      404,
    );
  }
  if (status < 200 || status > 299) {
    const reason = status >= 500 ? 'server-error' : 'unavailable';
    throw new ExtensionUnavailableError(
      `the AppConfig extension answered ${where} with ${status}`,
      reason,
      status,
    );
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new InvalidConfigDocumentError(`the document at ${where} is not JSON`, []);
  }
}

/**
 * GET `url` and collect the whole answer within `timeoutMs` (connection, headers and body together).
 * A fresh connection per read (`agent: false`): reads are a poll interval apart (45 s by default) and
 * the reads of one poll run at once, so a kept-alive socket would save about a millisecond a poll, and
 * one kept across a frozen Lambda environment can be reset when reused, a refresh failure for nothing.
 */
function answerOf(url: string, where: string, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    let answering = false;
    const settle = (outcome: Answer | ExtensionUnavailableError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof ExtensionUnavailableError) {
        request.destroy();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const brokeOff = (cause?: unknown) =>
      new ExtensionUnavailableError(
        `the AppConfig extension broke off its answer to ${where}`,
        'unavailable',
        undefined,
        cause === undefined ? undefined : { cause },
      );

    const request = get(url, { agent: false }, (response: IncomingMessage) => {
      answering = true;
      response.on('error', (error) => settle(brokeOff(error)));
      // A connection closed before the body's announced end: no 'end', sometimes no 'error' either.
      response.on('close', () => {
        if (!response.complete) settle(brokeOff());
      });
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        // The status is the answer; the error text is neither needed nor quoted, and a connection
        // used once is not drained (a slow error body would hold it open past the timeout).
        settle({ status, body: '' });
        request.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => settle({ status, body: utf8(chunks) }));
    });
    request.on('error', (error) =>
      settle(
        answering
          ? brokeOff(error)
          : new ExtensionUnavailableError(
              `the AppConfig extension is unreachable for ${where}`,
              'unavailable',
              undefined,
              { cause: error },
            ),
      ),
    );
    const timer = setTimeout(
      () =>
        settle(
          new ExtensionUnavailableError(
            answering
              ? `the AppConfig extension did not finish its answer to ${where} within ${timeoutMs} ms`
              : `the AppConfig extension did not answer ${where} within ${timeoutMs} ms`,
            'timeout',
          ),
        ),
      timeoutMs,
    );
  });
}

/** The body as text, decoded once whole (a character may straddle chunks), without a byte-order mark. */
function utf8(chunks: readonly Buffer[]): string {
  const text = Buffer.concat(chunks).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
