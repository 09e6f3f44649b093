/**
 * How many bytes a value holding CloudFormation references takes once deployed, estimated at synth,
 * generously: the limits it is checked against (Lambda's 4 KB of environment variables, a Standard
 * parameter's 4 KB) refuse a deployment, where an estimate too large only costs room.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Lambda's limit for all of a function's environment variables together, names included. */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;
/** An AppConfig id (7 characters) or a strategy id, at most. */
export const RESOLVED_ID_BYTES = 20;
/** Anything else a reference resolves to: a queue URL, an ARN, a generated name (about 140 at most). */
export const RESOLVED_OTHER_BYTES = 160;
/** The pseudo parameters, at their longest. */
const PSEUDO_BYTES: Readonly<Record<string, number>> = {
  'AWS::AccountId': 12,
  'AWS::Partition': 10,
  'AWS::Region': 20,
  'AWS::URLSuffix': 20,
};

/**
 * @example
 * resolvedBytes(stack, stack.toJsonString({ id: application.attrApplicationId })); // 28
 */
export function resolvedBytes(scope: IConstruct, value: unknown): number {
  return resolvedSizer(scope)(value);
}

/**
 * {@link resolvedBytes} for many values of one stack: the stack's resources are looked up once.
 *
 * @example
 * const sizeOf = resolvedSizer(stack);
 * const total = values.reduce((sum, value) => sum + sizeOf(value), 0);
 */
export function resolvedSizer(scope: IConstruct): (value: unknown) => number {
  const stack = Stack.of(scope);
  const types = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    if (CfnResource.isCfnResource(node)) types.set(stack.getLogicalId(node), node.cfnResourceType);
  }
  const byTarget = (logicalId: unknown) =>
    typeof logicalId === 'string' && types.get(logicalId)?.startsWith('AWS::AppConfig::')
      ? RESOLVED_ID_BYTES
      : RESOLVED_OTHER_BYTES;
  const estimate = (resolved: unknown): number => {
    if (typeof resolved === 'string') return Buffer.byteLength(resolved);
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved).length;
    if (Array.isArray(resolved)) return resolved.reduce<number>((sum, part) => sum + estimate(part), 0);
    if (resolved === null || typeof resolved !== 'object') return 0;
    const intrinsic = resolved as Record<string, unknown>;
    const join = intrinsic['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      const parts = join[1] as unknown[];
      return estimate(parts) + join[0].length * Math.max(0, parts.length - 1);
    }
    if (typeof intrinsic['Ref'] === 'string')
      return PSEUDO_BYTES[intrinsic['Ref']] ?? byTarget(intrinsic['Ref']);
    const getAtt = intrinsic['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return byTarget(getAtt[0]);
    return RESOLVED_OTHER_BYTES;
  };
  return (value) => estimate(stack.resolve(value));
}

/**
 * The bytes Lambda counts of a function's environment variables (names and values), estimated.
 *
 * @example
 * environmentBytes(stack, { STEWARD_PARAMETER_ROOT: 'config' }); // 28
 */
export function environmentBytes(scope: IConstruct, variables: Readonly<Record<string, unknown>>): number {
  const sizeOf = resolvedSizer(scope);
  return Object.entries(variables).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + sizeOf(value),
    0,
  );
}
