import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ExtensionUnavailableError, InvalidConfigDocumentError } from '../../packages/client/src/index.ts';
import { readFromExtension } from '../../packages/client/src/extension-read.ts';

const PATH = '/applications/orders/environments/staging/configurations/document';
const SECRET = 'whsec_2f9c1e7d8b6a4f30b1e2d3c4a5f60718';

/** A raw local server whose every answer the test writes by hand, down to cutting the connection. */
async function serve(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; server: Server; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}${PATH}`, server, requests };
}

/** A port nothing listens on: one a server just gave back. */
async function closedPort(): Promise<number> {
  const { server } = await serve(() => undefined);
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const failureOf = (read: Promise<unknown>) =>
  read.then(
    () => {
      throw new Error('the read succeeded');
    },
    (error: unknown) => error,
  );

describe('Function: readFromExtension (node:http)', () => {
  const servers: Server[] = [];
  const started = async (answer: (request: IncomingMessage, response: ServerResponse) => void) => {
    const served = await serve(answer);
    servers.push(served.server);
    return served;
  };

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('reads and parses the document with a plain GET on a connection of its own', async () => {
    // Prepare
    const { url, requests } = await started((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Configuration-Version': '3' });
      response.end(JSON.stringify({ 'max-retries': 3, currency: 'EUR' }));
    });

    // Act
    const document = await readFromExtension(url, 1000);

    // Assess
    expect(document).toEqual({ 'max-retries': 3, currency: 'EUR' });
    expect(requests.map((r) => [r.method, r.url, r.headers.connection])).toEqual([['GET', PATH, 'close']]);
  });

  it('decodes a body sent in pieces that split a character, and drops a byte-order mark', async () => {
    // Prepare: "€" is three bytes in UTF-8; the first chunk ends inside it
    const bytes = Buffer.from('\ufeff{"currency-sign":"€"}', 'utf8');
    const cut = bytes.indexOf(Buffer.from('€', 'utf8')) + 1;
    const { url } = await started((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write(bytes.subarray(0, cut));
      setTimeout(() => response.end(bytes.subarray(cut)), 20);
    });

    // Act
    const document = await readFromExtension(url, 1000);

    // Assess
    expect(document).toEqual({ 'currency-sign': '€' });
  });

  it('answers a timeout when the extension does not answer in time, and stops waiting then', async () => {
    // Prepare: headers never come
    const { url } = await started(() => undefined);
    const startedAt = performance.now();

    // Act
    const error = await failureOf(readFromExtension(url, 150));

    // Assess
    expect(error).toBeInstanceOf(ExtensionUnavailableError);
    expect(error).toMatchObject({ reason: 'timeout', status: undefined });
    expect((error as Error).message).toBe(`the AppConfig extension did not answer ${PATH} within 150 ms`);
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it('answers a timeout when the body does not finish in time', async () => {
    // Prepare: the headers and half a body, then nothing
    const { url } = await started((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '40' });
      response.write('{"max-retries": 3,');
    });

    // Act
    const error = await failureOf(readFromExtension(url, 150));

    // Assess
    expect(error).toBeInstanceOf(ExtensionUnavailableError);
    expect(error).toMatchObject({ reason: 'timeout' });
    expect((error as Error).message).toBe(
      `the AppConfig extension did not finish its answer to ${PATH} within 150 ms`,
    );
  });

  it('answers unavailable when nothing listens on the port', async () => {
    // Prepare
    const port = await closedPort();

    // Act
    const error = await failureOf(readFromExtension(`http://localhost:${port}${PATH}`, 1000));

    // Assess
    expect(error).toBeInstanceOf(ExtensionUnavailableError);
    expect(error).toMatchObject({ reason: 'unavailable', status: undefined });
    expect((error as Error).message).toBe(`the AppConfig extension is unreachable for ${PATH}`);
    expect((error as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it.each([
    ['a Content-Length longer than what arrives', { 'Content-Length': '400' }],
    ['a chunked body without its last chunk', {}],
  ])('answers unavailable when the answer is cut short: %s', async (_, headers) => {
    // Prepare
    const { url } = await started((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', ...headers });
      response.write(`{"webhook-signing-key": "${SECRET}", `);
      setTimeout(() => (request.socket as Socket).destroy(), 20);
    });

    // Act
    const error = await failureOf(readFromExtension(url, 2000));

    // Assess
    expect(error).toBeInstanceOf(ExtensionUnavailableError);
    expect(error).toMatchObject({ reason: 'unavailable' });
    expect((error as Error).message).toBe(`the AppConfig extension broke off its answer to ${PATH}`);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it.each([
    [404, 'not-found', `the AppConfig extension does not know ${PATH} (404)`],
    [400, 'unavailable', `the AppConfig extension answered ${PATH} with 400`],
    [500, 'server-error', `the AppConfig extension answered ${PATH} with 500`],
    [502, 'server-error', `the AppConfig extension answered ${PATH} with 502`],
  ])('answers %i as %s, without quoting the error text', async (status, reason, message) => {
    // Prepare: the extension's text errors can echo what it was asked or served
    const { url } = await started((_, response) => {
      response.writeHead(status, { 'Content-Type': 'application/text' });
      response.end(`ResourceNotFoundException ${SECRET}`);
    });

    // Act
    const error = await failureOf(readFromExtension(url, 1000));

    // Assess
    expect(error).toBeInstanceOf(ExtensionUnavailableError);
    expect(error).toMatchObject({ reason, status });
    expect((error as Error).message).toBe(message);
  });

  it('answers an error status at once and lets go of the connection, however slowly its text comes', async () => {
    // Prepare: a 503 whose error text never finishes
    let closedByClient: Promise<void> = Promise.resolve();
    const { url } = await started((request, response) => {
      closedByClient = new Promise((resolve) => request.socket.once('close', () => resolve()));
      response.writeHead(503, { 'Content-Type': 'application/text', 'Content-Length': '1000' });
      response.write('InternalServerException');
    });

    // Act
    const error = await failureOf(readFromExtension(url, 5000));

    // Assess
    expect(error).toMatchObject({ reason: 'server-error', status: 503 });
    await closedByClient;
  });

  it('answers InvalidConfigDocumentError for a body that is not JSON, without quoting it', async () => {
    // Prepare
    const { url } = await started((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(`{"webhook-signing-key": "${SECRET}",`);
    });

    // Act
    const error = await failureOf(readFromExtension(url, 1000));

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
    expect(error).toMatchObject({ reason: 'invalid-document', keys: [] });
    expect((error as Error).message).toBe(`the document at ${PATH} is not JSON`);
  });

  it('reads an empty 200 body as not JSON', async () => {
    // Prepare
    const { url } = await started((_, response) => {
      response.writeHead(200);
      response.end();
    });

    // Act
    const error = await failureOf(readFromExtension(url, 1000));

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
  });
});
