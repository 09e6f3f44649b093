/**
 * The schema registry: maps any parameter name to its environment, service, key and schema, validates
 * stored strings against it, and composes a service's document (schema defaults → shared → service).
 */
import * as z from 'zod/mini';
import './zod-messages.ts';
import { type KeySpec, type ParameterTier, TIER_VALUE_LIMIT_BYTES, type ValidationIssue } from './keys.ts';
import { type Organisation, type ServiceDefinition, SHARED_SERVICE } from './model.ts';

export interface RegistryOptions {
  readonly parameterRoot: string;
  readonly environments: readonly string[];
  readonly parameterTier?: ParameterTier;
}

export interface ResolvedParameter {
  readonly ok: true;
  readonly name: string;
  readonly environment: string;
  readonly service: string;
  readonly key: string;
  readonly spec: KeySpec;
}

export type UnresolvedReason = 'outside-root' | 'unknown-environment' | 'unknown-service' | 'unknown-key';

export interface UnresolvedParameter {
  readonly ok: false;
  readonly name: string;
  readonly reason: UnresolvedReason;
  readonly message: string;
  /** What could be read off the name before resolution stopped. */
  readonly environment?: string;
  readonly service?: string;
  readonly key?: string;
}

export type Resolution = ResolvedParameter | UnresolvedParameter;

export interface ValueVerdict {
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
  readonly resolution: Resolution;
  /** The typed value, when valid. */
  readonly value?: unknown;
}

export interface DesiredParameter {
  readonly name: string;
  readonly environment: string;
  readonly service: string;
  readonly key: string;
  readonly value: string;
  readonly parameterType: 'String' | 'SecureString';
}

export type ComposeResult =
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/** Reads the stored string of a key, or undefined when absent. */
export type RawValueLookup = (service: string, key: string) => string | undefined;

export class SchemaRegistry {
  readonly parameterRoot: string;
  readonly environments: readonly string[];
  readonly valueLimitBytes: number;
  private readonly services: ReadonlyMap<string, ServiceDefinition>;
  private readonly documentSchemas = new Map<string, z.ZodMiniObject>();

  constructor(
    readonly organisation: Organisation,
    private readonly options: RegistryOptions,
  ) {
    this.parameterRoot = options.parameterRoot;
    this.environments = options.environments;
    this.valueLimitBytes = TIER_VALUE_LIMIT_BYTES[options.parameterTier ?? 'Standard'];
    this.services = new Map(organisation.services.map((service) => [service.name, service]));
  }

  /** `/<root>/` : the prefix every managed parameter starts with. */
  get rootPath(): string {
    return `/${this.parameterRoot}/`;
  }

  serviceNames(options: { includeShared?: boolean } = {}): string[] {
    return [...this.services.keys()].filter((name) => options.includeShared || name !== SHARED_SERVICE);
  }

  service(name: string): ServiceDefinition | undefined {
    return this.services.get(name);
  }

  /** The same registry over some of its services only (a checkpointed drift run checks one at a time). */
  narrowedTo(services: readonly string[]): SchemaRegistry {
    const kept = this.organisation.services.filter((service) => services.includes(service.name));
    return new SchemaRegistry({ ...this.organisation, services: kept }, this.options);
  }

  parameterName(environment: string, service: string, key: string): string {
    return `/${this.parameterRoot}/${environment}/${service}/${key}`;
  }

  /** Resolve a parameter name, or say precisely why it cannot be resolved. */
  resolve(name: string): Resolution {
    if (!name.startsWith(this.rootPath)) {
      return { ok: false, name, reason: 'outside-root', message: `not under ${this.rootPath}` };
    }
    const [environment = '', service = '', ...keyParts] = name.slice(this.rootPath.length).split('/');
    const key = keyParts.join('/');
    if (!this.environments.includes(environment)) {
      return {
        ok: false,
        name,
        reason: 'unknown-environment',
        message: `unknown environment "${environment}" (known: ${this.environments.join(', ')})`,
      };
    }
    const definition = this.services.get(service);
    if (!definition) {
      return {
        ok: false,
        name,
        environment,
        reason: 'unknown-service',
        message: `unknown service "${service}" (known: ${[...this.services.keys()].join(', ')})`,
      };
    }
    const spec = key === '' ? undefined : definition.keys[key];
    if (!spec) {
      return {
        ok: false,
        name,
        environment,
        service,
        key,
        reason: 'unknown-key',
        message: `service "${service}" declares no key "${key}"`,
      };
    }
    return { ok: true, name, environment, service, key, spec };
  }

  /**
   * Validate a stored string against the key its name resolves to: known key, right parameter type,
   * within the tier's size, and accepted by the key's codec and schema.
   */
  validate(name: string, raw: string, parameterType: string): ValueVerdict {
    const resolution = this.resolve(name);
    if (!resolution.ok) {
      return {
        valid: false,
        resolution,
        issues: [{ path: resolution.key ?? name, message: resolution.message }],
      };
    }
    const issues = this.checkValue(resolution.key, resolution.spec, raw, parameterType);
    if (issues.length > 0) return { valid: false, resolution, issues };
    const decoded = resolution.spec.decode(raw, resolution.key);
    return decoded.ok
      ? { valid: true, resolution, issues: [], value: decoded.value }
      : { valid: false, resolution, issues: decoded.issues };
  }

  private checkValue(key: string, spec: KeySpec, raw: string, parameterType: string): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (parameterType !== spec.parameterType) {
      issues.push({ path: key, message: `must be stored as ${spec.parameterType}, not ${parameterType}` });
    }
    const size = Buffer.byteLength(raw, 'utf8');
    if (size > this.valueLimitBytes) {
      issues.push({
        path: key,
        message: `value is ${size} bytes, over the tier's ${this.valueLimitBytes}-byte limit`,
      });
    }
    return issues;
  }

  /**
   * The keys a service's document holds: shared keys, overridden by the service's own. SecureString
   * keys stay out: a document is delivered through AppConfig in clear, so secrets are read apart.
   */
  documentKeys(service: string): Record<string, KeySpec> {
    const shared = service === SHARED_SERVICE ? {} : (this.services.get(SHARED_SERVICE)?.keys ?? {});
    const own = this.services.get(service)?.keys ?? {};
    return Object.fromEntries(
      Object.entries({ ...shared, ...own }).filter(([, spec]) => spec.parameterType === 'String'),
    );
  }

  /**
   * The strict zod/mini schema of a service's composed document: what consumers parse. Built once per
   * service (the organisation does not change), since every delivery and validation asks for it.
   */
  documentSchema(service: string): z.ZodMiniObject {
    let schema = this.documentSchemas.get(service);
    if (!schema) {
      const shape = Object.fromEntries(
        Object.entries(this.documentKeys(service)).map(([key, spec]) => [key, spec.schema]),
      );
      schema = z.strictObject(shape);
      this.documentSchemas.set(service, schema);
    }
    return schema;
  }

  /** The desired stored string of a key in an environment, from `config/`, or undefined. */
  desiredValue(environment: string, service: string, key: string): string | undefined {
    const definition = this.services.get(service);
    const spec = definition?.keys[key];
    const value = (definition?.values[environment] as Record<string, unknown> | undefined)?.[key];
    return spec && value !== undefined ? spec.encode(value) : undefined;
  }

  /** Every desired parameter of every environment (the values written in `config/`, not defaults). */
  desiredParameters(environment?: string): DesiredParameter[] {
    const result: DesiredParameter[] = [];
    for (const env of environment ? [environment] : this.environments) {
      for (const definition of this.services.values()) {
        for (const [key, spec] of Object.entries(definition.keys)) {
          const value = this.desiredValue(env, definition.name, key);
          if (value === undefined) continue;
          result.push({
            name: this.parameterName(env, definition.name, key),
            environment: env,
            service: definition.name,
            key,
            value,
            parameterType: spec.parameterType,
          });
        }
      }
    }
    return result;
  }

  /**
   * Compose a service's document for an environment: schema defaults, then `shared`, then the
   * service's own keys, each stored string decoded by its codec, then the whole document checked.
   * Without a lookup, the desired values from `config/` are composed.
   *
   * @example
   * const result = registry.compose('orders', 'production');
   * if (result.ok) deliver(result.document);
   */
  compose(
    service: string,
    environment: string,
    lookup: RawValueLookup = (owner, key) => this.desiredValue(environment, owner, key),
  ): ComposeResult {
    if (!this.services.has(service) || service === SHARED_SERVICE) {
      return { ok: false, issues: [{ path: service, message: `unknown service "${service}"` }] };
    }
    const ownKeys = this.services.get(service)?.keys ?? {};
    const sharedKeys = this.services.get(SHARED_SERVICE)?.keys ?? {};
    const document: Record<string, unknown> = {};
    const issues: ValidationIssue[] = [];
    for (const [key, spec] of Object.entries(this.documentKeys(service))) {
      const layers = [SHARED_SERVICE, service].filter(
        (owner) => key in (owner === service ? ownKeys : sharedKeys),
      );
      let value = spec.default;
      for (const owner of layers) {
        const raw = lookup(owner, key);
        if (raw === undefined) continue;
        const decoded = spec.decode(raw, key);
        if (decoded.ok) value = decoded.value;
        else issues.push(...decoded.issues);
      }
      if (value !== undefined) document[key] = value;
    }
    const checked = z.safeParse(this.documentSchema(service), document);
    if (!checked.success) {
      issues.push(
        ...checked.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      );
    }
    return issues.length > 0
      ? { ok: false, issues }
      : { ok: true, document: checked.data as Record<string, unknown> };
  }

  /** Validate a whole document (as AppConfig's validator receives it) against a service's schema. */
  validateDocument(service: string, document: unknown): ValidationIssue[] {
    if (!this.services.has(service) || service === SHARED_SERVICE) {
      return [{ path: service, message: `unknown service "${service}"` }];
    }
    const checked = z.safeParse(this.documentSchema(service), document);
    return checked.success
      ? []
      : checked.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  }
}
