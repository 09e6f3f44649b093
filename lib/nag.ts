/**
 * cdk-nag for Steward stacks: the AwsSolutions and Serverless packs, plus our own exact wildcard check,
 * run over a construct tree with the findings flattened.
 *
 * Why our own check: AwsSolutions-IAM5 reports an action wildcard (`Action::s3:*`) and a resource
 * wildcard (`Resource::*`) as separate findings, never the pair. Acknowledging `Resource::*` for X-Ray
 * on a role therefore also accepted any later grant on `*` to that role: a new
 * `secretsmanager:GetSecretValue` or `ssm:PutParameter` on `*` produced 0 findings. Steward-WildcardGrant
 * reports every (action, resource) pair of every Allow statement of an identity policy (a role's,
 * user's or group's inline policies, `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`) where the action or
 * the resource holds a `*`, or the statement uses NotAction/NotResource, unless that exact pair is
 * acknowledged on the policy or one of its scopes ({@link acknowledgeWildcardGrant}).
 *
 * The IAM5 acknowledgement of a resource is kept, written by {@link acknowledgeWildcardGrant} together
 * with the pairs behind it. Whoever acknowledges IAM5 (that call, or a hand-written acknowledgement), any
 * other action on that resource is still a Steward-WildcardGrant finding: a stack with zero findings has
 * every action on an acknowledged IAM5 resource accepted pair by pair.
 *
 * Not covered: resource policies (key, queue and bucket policies), the contents of AWS managed policies
 * (AwsSolutions-IAM4 reports those), and `?` (Secrets Manager's six-character suffix pattern) as a
 * wildcard, like IAM5.
 */
import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AwsSolutionsChecks,
  NagMessageLevel,
  NagPack,
  type NagPackProps,
  NagRuleCompliance,
  type NagRuleResult,
  ServerlessChecks,
} from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { flattenCfnReference } from './cfn-reference.ts';

export interface NagFinding {
  readonly rule: string;
  readonly resource: string;
  readonly description: string;
}

/**
 * The rule id of our exact wildcard check; each finding is
 * `Steward-WildcardGrant[Action::<action>|Resource::<resource>]` (CDK turns spaces in rule ids into dashes).
 */
export const WILDCARD_GRANT_RULE = 'Steward-WildcardGrant';
// cdk-nag names a rule `<pack>-<suffix>`.
const STEWARD_PACK = 'Steward';
const WILDCARD_GRANT_SUFFIX = 'WildcardGrant';

/**
 * The finding id of one (action, resource) pair, the resource rendered as cdk-nag renders it
 * (tokens as `<LogicalId.Attribute>`, pseudo parameters as `<AWS::Region>`).
 *
 * @example
 * wildcardGrantFindingId('xray:PutTraceSegments', '*');
 * // 'Steward-WildcardGrant[Action::xray:PutTraceSegments|Resource::*]'
 */
export function wildcardGrantFindingId(action: string, resource: string): string {
  return `${WILDCARD_GRANT_RULE}[${pairFinding(action, resource)}]`;
}

/** Steward's own pack: one rule, the exact (action, resource) wildcard check described above. */
export class StewardChecks extends NagPack {
  public override readonly name = STEWARD_PACK;

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = STEWARD_PACK;
  }

  protected override checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: WILDCARD_GRANT_SUFFIX,
      info: 'The IAM policy allows an action on a wildcard (or a wildcard action) not acknowledged as this exact pair.',
      explanation:
        'Acknowledge each (action, resource) pair with acknowledgeWildcardGrant and a reason a reviewer accepts; ' +
        'a resource-only acknowledgement would accept every action later granted on it.',
      level: NagMessageLevel.ERROR,
      rule: wildcardGrants,
      node,
    });
  }
}

/** The packs every Steward stack must pass with zero unacknowledged findings. */
export function nagPacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope), new ServerlessChecks(scope), new StewardChecks(scope)];
}

/**
 * @example
 * const findings = nagFindings(stack);
 * if (findings.length > 0) throw new Error(formatNagFindings(findings));
 */
export function nagFindings(scope: IConstruct): NagFinding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        resource: resource.constructPath ?? resource.resourceLogicalId ?? '?',
        description: violation.description.split('\n')[0] ?? '',
      })),
    ),
  );
}

export function formatNagFindings(findings: readonly NagFinding[]): string {
  return findings.map((f) => `  ${f.rule} on ${f.resource}: ${f.description}`).join('\n');
}

export interface WildcardGrant {
  /**
   * The actions, named literally. Do not pass the statement's own action list: an action added to the
   * grant later must be a new finding, not silently accepted by this reason.
   */
  readonly actions: readonly string[];
  /** The wildcard resources exactly as the grant gave them (`'*'`, or ARNs built with the same tokens). */
  readonly resources: readonly string[];
  /** Why the wildcard cannot be narrower; the sentence a reviewer reads. */
  readonly reason: string;
}

/**
 * Acknowledge exactly these (action, resource) pairs on a role (or any scope of its policies): the
 * Steward-WildcardGrant finding of each pair, and the AwsSolutions-IAM5 findings of their wildcard
 * resources and actions. Any other action on the same resources stays a finding.
 *
 * @throws when the reason is empty or a pair holds no wildcard (nothing to acknowledge: a mistake)
 * @example
 * const underRoot = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'config/*' });
 * role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParametersByPath'], resources: [underRoot] }));
 * acknowledgeWildcardGrant(role, {
 *   actions: ['ssm:GetParametersByPath'],
 *   resources: [underRoot],
 *   reason: 'The sweep reads every parameter under /config/, and nothing else.',
 * });
 */
export function acknowledgeWildcardGrant(scope: IConstruct, grant: WildcardGrant): void {
  if (grant.reason.trim() === '') {
    throw new Error(`acknowledgeWildcardGrant on ${scope.node.path}: a reason is required`);
  }
  const stack = Stack.of(scope);
  const resources = grant.resources.map((arn) => flattenCfnReference(stack.resolve(arn)));
  const validations = Validations.of(scope);
  for (const action of grant.actions) {
    for (const resource of resources) {
      if (!isWildcard(action) && !isWildcard(resource)) {
        throw new Error(
          `acknowledgeWildcardGrant on ${scope.node.path}: ${action} on ${resource} holds no wildcard; ` +
            'acknowledge only the wildcard pairs of a grant',
        );
      }
      validations.acknowledge({ id: wildcardGrantFindingId(action, resource), reason: grant.reason });
    }
  }
  const pairs = `accepted only for the actions acknowledged pair by pair under ${WILDCARD_GRANT_RULE}: ${grant.reason}`;
  for (const resource of new Set(resources.filter((r) => r.includes('*')))) {
    validations.acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: pairs });
  }
  for (const action of new Set(grant.actions.filter((a) => a.includes('*')))) {
    validations.acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: pairs });
  }
}

/** The rule: the wildcard pairs of an identity policy resource, or compliant / not applicable. */
function wildcardGrants(node: CfnResource): NagRuleResult {
  const stack = Stack.of(node);
  let documents: unknown[];
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
    documents = [node.policyDocument];
  } else if (node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup) {
    const inline = (stack.resolve(node.policies) ?? []) as { policyDocument?: unknown }[];
    documents = inline.map((policy) => policy.policyDocument);
  } else {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const pairs = new Set(documents.flatMap((document) => wildcardPairs(stack.resolve(document))));
  return pairs.size > 0 ? [...pairs] : NagRuleCompliance.COMPLIANT;
}

interface RenderedStatement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

/**
 * The finding of every pair of every Allow statement with a wildcard in either, or with
 * NotAction/NotResource (which allow everything else: always reported). Deny statements are not grants.
 */
function wildcardPairs(document: unknown): string[] {
  const statements = listOf((document as { Statement?: unknown } | undefined)?.Statement);
  const pairs: string[] = [];
  for (const statement of statements as RenderedStatement[]) {
    if (statement.Effect !== 'Allow') continue;
    const actions = [
      ...listOf(statement.Action).map(flattenCfnReference),
      ...listOf(statement.NotAction).map((a) => `${NOT_ACTION}${flattenCfnReference(a)}`),
    ];
    const resources = [
      ...listOf(statement.Resource).map(flattenCfnReference),
      ...listOf(statement.NotResource).map((r) => `${NOT_RESOURCE}${flattenCfnReference(r)}`),
    ];
    for (const action of actions) {
      for (const resource of resources) {
        if (isWildcard(action) || isWildcard(resource)) pairs.push(pairFinding(action, resource));
      }
    }
  }
  return pairs;
}

const NOT_ACTION = 'NotAction::';
const NOT_RESOURCE = 'NotResource::';

/** `Action::<a>|Resource::<r>`, or `NotAction::<a>` / `NotResource::<r>` for the negated elements. */
function pairFinding(action: string, resource: string): string {
  const actionPart = action.startsWith(NOT_ACTION) ? action : `Action::${action}`;
  const resourcePart = resource.startsWith(NOT_RESOURCE) ? resource : `Resource::${resource}`;
  return `${actionPart}|${resourcePart}`;
}

function isWildcard(rendered: string): boolean {
  return rendered.includes('*') || rendered.startsWith(NOT_ACTION) || rendered.startsWith(NOT_RESOURCE);
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
