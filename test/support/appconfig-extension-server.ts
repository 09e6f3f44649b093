/**
 * A local stand-in for the AWS AppConfig Lambda extension (AppConfig Agent): a `node:http` server
 * answering `GET /applications/{application}/environments/{environment}/configurations/{profile}`
 * by name, narrowing feature-flag profiles to `?flag=a&flag=b`, answering 404 for what it does not
 * know, plus knobs for the failures the client must survive: slow answers, 5xx, invalid documents,
 * and the extension going away.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostedProfile {
  /** `AWS.AppConfig.FeatureFlags` profiles honour `?flag=`; freeform ones ignore it. */
  readonly type: 'freeform' | 'feature-flags';
  /** The document; an object is served as JSON, a string as is (to serve broken JSON). */
  readonly content: unknown;
  readonly contentType?: string;
}

export interface RecordedRequest {
  readonly path: string;
  readonly flags: readonly string[];
  readonly status: number;
}

export class AppConfigExtensionServer {
  readonly #server: Server;
  readonly #profiles = new Map<string, HostedProfile>();
  readonly #requests: RecordedRequest[] = [];
  #delayMs = 0;
  #failWith: number | undefined;
  #port = 0;

  private constructor() {
    this.#server = createServer((request, response) => {
      void this.#answer(request, response);
    });
  }

  /**
   * @example
   * const extension = await AppConfigExtensionServer.start();
   * extension.host('orders', 'staging', 'document', { type: 'freeform', content: { 'max-retries': 3 } });
   */
  static async start(): Promise<AppConfigExtensionServer> {
    const server = new AppConfigExtensionServer();
    await server.#listen(0);
    return server;
  }

  get port(): number {
    return this.#port;
  }

  /** Every request answered so far, oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  /** Publish (or replace) a profile, as a finished AppConfig deployment would. */
  host(application: string, environment: string, profile: string, hosted: HostedProfile): this {
    this.#profiles.set(key(application, environment, profile), hosted);
    return this;
  }

  /** Answer every request this many milliseconds late. 0 restores prompt answers. */
  delay(milliseconds: number): this {
    this.#delayMs = milliseconds;
    return this;
  }

  /** Answer every request with this status (e.g. 500, 503) until called with `undefined`. */
  failWith(status: number | undefined): this {
    this.#failWith = status;
    return this;
  }

  /** Stop listening: the client sees a refused connection, as when the extension has crashed. */
  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.#server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Listen again on the same port after {@link stop}. */
  async restart(): Promise<void> {
    await this.#listen(this.#port);
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, 'localhost', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const flags = url.searchParams.getAll('flag');
    if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    if (response.destroyed) return;
    const send = (status: number, body: string, contentType = 'text/plain') => {
      this.#requests.push({ path: url.pathname, flags, status });
      response.writeHead(status, { 'Content-Type': contentType });
      response.end(body);
    };
    if (this.#failWith !== undefined) return send(this.#failWith, 'extension failure');
    const match = /^\/applications\/([^/]+)\/environments\/([^/]+)\/configurations\/([^/]+)$/.exec(
      url.pathname,
    );
    if (request.method !== 'GET' || match === null) return send(404, 'Not Found');
    const [application, environment, profile] = match.slice(1).map(decodeURIComponent) as [
      string,
      string,
      string,
    ];
    const hosted = this.#profiles.get(key(application, environment, profile));
    if (hosted === undefined)
      return send(404, `configuration ${application}/${environment}/${profile} not found`);
    if (typeof hosted.content === 'string')
      return send(200, hosted.content, hosted.contentType ?? 'application/json');
    let content = hosted.content;
    if (hosted.type === 'feature-flags' && flags.length > 0) {
      // As the agent does: only the requested flags, the unknown ones left out.
      const all = content as Record<string, unknown>;
      content = Object.fromEntries(flags.filter((f) => Object.hasOwn(all, f)).map((f) => [f, all[f]]));
    }
    return send(200, JSON.stringify(content), hosted.contentType ?? 'application/json');
  }
}

function key(application: string, environment: string, profile: string): string {
  return `${application}\u0000${environment}\u0000${profile}`;
}
