/**
 * What the synthesized stack gives one of its functions, read from the CloudFormation template: the
 * environment variables and the timeout. Values CloudFormation computes at deploy time from resources
 * (`Ref`, `Fn::GetAtt`) cannot be known locally; they are reported with what they refer to, so the
 * operator can pass them instead.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../core/errors.ts';

/** Where `npm run synth` and `cdk synth` write the stack's template, relative to the project root. */
export const DEFAULT_TEMPLATE = 'cdk.out/ConfigSteward.template.json';

interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: {
    readonly Timeout?: unknown;
    readonly Environment?: { readonly Variables?: Readonly<Record<string, unknown>> };
  };
}

export interface StackTemplate {
  readonly file: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
}

export interface FunctionEnvironment {
  /** The function's logical id in the template. */
  readonly logicalId: string;
  readonly timeoutSeconds: number;
  /** Variables whose value the template states (or that resolve from the caller's region). */
  readonly known: Readonly<Record<string, string>>;
  /** Variables computed from resources at deploy time: name → what they refer to. */
  readonly unresolved: Readonly<Record<string, string>>;
}

/**
 * @example
 * const template = readStackTemplate('cdk.out/ConfigSteward.template.json');
 */
export function readStackTemplate(file: string): StackTemplate {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`${file}: not a readable JSON template (${(error as Error).message})`);
  }
  const resources = (json as { Resources?: unknown } | null)?.Resources;
  if (typeof resources !== 'object' || resources === null) {
    throw new ConfigurationError(`${file}: not a CloudFormation template (no Resources)`);
  }
  return { file, resources: resources as StackTemplate['resources'] };
}

/**
 * The environment and timeout of the function whose `POWERTOOLS_SERVICE_NAME` is `serviceName` (every
 * Steward function sets it to `config-steward-<handler>`); undefined when the template has none.
 *
 * @example
 * functionEnvironment(template, 'config-steward-flag-expiry-job', { AWS_REGION: 'eu-west-1' });
 */
export function functionEnvironment(
  template: StackTemplate,
  serviceName: string,
  callerEnv: Readonly<Record<string, string | undefined>>,
): FunctionEnvironment | undefined {
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = resource.Properties?.Environment?.Variables ?? {};
    if (variables['POWERTOOLS_SERVICE_NAME'] !== serviceName) continue;
    const known: Record<string, string> = {};
    const unresolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      const resolved = resolveLocally(value, callerEnv);
      if (resolved === undefined) unresolved[name] = describeToken(value);
      else known[name] = resolved;
    }
    const timeout = resource.Properties?.Timeout;
    if (typeof timeout !== 'number') {
      throw new ConfigurationError(`${template.file}: function ${logicalId} has no numeric Timeout`);
    }
    return { logicalId, timeoutSeconds: timeout, known, unresolved };
  }
  return undefined;
}

/** A template value as a string, if it does not depend on a resource or an unknown pseudo parameter. */
function resolveLocally(
  value: unknown,
  callerEnv: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) return undefined;
  const token = value as Record<string, unknown>;
  if (token['Ref'] === 'AWS::Region') return callerEnv['AWS_REGION'];
  const join = token['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((part) => resolveLocally(part, callerEnv));
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  return undefined;
}

/** What a token refers to, e.g. `GetAtt DeliveryServiceordersApplication7149FABD.ApplicationId`. */
function describeToken(value: unknown): string {
  const references = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, inner] of Object.entries(node)) {
      if (key === 'Ref' && typeof inner === 'string') references.add(`Ref ${inner}`);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) references.add(`GetAtt ${inner.join('.')}`);
      else walk(inner);
    }
  };
  walk(value);
  const listed = [...references];
  if (listed.length === 0) return `a CloudFormation expression (${Object.keys(value as object).join(', ')})`;
  if (listed.length === 1) return listed[0]!;
  const head = listed.slice(0, 2).join(', ');
  return `built from ${listed.length} resource values (${head}, …)`;
}
