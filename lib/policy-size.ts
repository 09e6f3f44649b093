/**
 * IAM's hard size limits, checked at synth on the template with every token resolved at its longest:
 * CDK moves what does not fit a role's inline policy into overflow managed policies, but it cannot split
 * one statement, estimates a token at 150 characters and only warns past 10 managed policies, so an
 * oversized grant otherwise surfaces as a failed `cdk deploy` in a real account.
 *
 * Limits (IAM and AWS STS quotas, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
 * a managed policy holds 6,144 characters, the inline policies of a role 10,240 together (whitespace
 * is not counted), and a role takes 10 managed policies by default.
 */

/** IAM's limits, in characters of policy JSON without whitespace, and managed policies per role. */
export const IAM_POLICY_LIMITS = {
  managedPolicyCharacters: 6_144,
  roleInlineCharacters: 10_240,
  managedPoliciesPerRole: 10,
} as const;

/**
 * How long a token can become once CloudFormation resolves it. Generous on purpose: the longest
 * partition (`aws-us-gov`), the longest region names (14 characters, `ap-southeast-5`), a 12-digit
 * account. AppConfig ids match `[a-z0-9]{4,7}` (AppConfig API reference); any other reference or
 * attribute (an ARN, a URL, a generated name) counts as 256 characters, longer than the ARN of any
 * generated name the stack creates.
 */
const PSEUDO_PARAMETER_LENGTH: Readonly<Record<string, number>> = {
  'AWS::Partition': 'aws-us-gov'.length,
  'AWS::Region': 'ap-southeast-5'.length,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 'amazonaws.com.cn'.length,
  'AWS::StackName': 128,
};
const APPCONFIG_ID_LENGTH = 7;
const OTHER_TOKEN_LENGTH = 256;

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
/** A synthesized CloudFormation template (the `Resources` section is all this reads). */
export interface PolicyTemplate {
  readonly Resources?: Record<string, TemplateResource>;
}

/** What IAM would hold for one role, sized with tokens resolved at their longest. */
export interface RolePolicySizes {
  readonly role: string;
  /** All inline policies of the role together: its own `Policies` and every `AWS::IAM::Policy` naming it. */
  readonly inlineCharacters: number;
  /** Managed policies attached: `ManagedPolicyArns` and every `AWS::IAM::ManagedPolicy` naming it. */
  readonly managedPolicies: number;
}

export interface PolicySizes {
  readonly roles: readonly RolePolicySizes[];
  /** Every customer managed policy of the template, attached or not. */
  readonly managedPolicies: readonly { readonly policy: string; readonly characters: number }[];
}

/**
 * The sizes IAM would count for every role and managed policy of a template.
 *
 * @example
 * const sizes = policySizes(assembly.getStackByName('ConfigSteward').template);
 * sizes.roles.find((r) => r.role === 'DeliverChangesRole')?.inlineCharacters; // 7412
 */
export function policySizes(template: PolicyTemplate): PolicySizes {
  const resources = template.Resources ?? {};
  const size = (document: unknown) => resolvedLength(document, resources);
  const roles = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([roleId, role]): RolePolicySizes => {
      const own = listOf(role.Properties?.Policies) as { PolicyDocument?: unknown }[];
      let inlineCharacters = own.reduce((sum, p) => sum + size(p.PolicyDocument), 0);
      const managedArns = listOf(role.Properties?.ManagedPolicyArns);
      let managedPolicies = managedArns.length;
      for (const [policyId, policy] of Object.entries(resources)) {
        if (!namesRole(policy, roleId)) continue;
        if (policy.Type === 'AWS::IAM::Policy' || policy.Type === 'AWS::IAM::RolePolicy') {
          inlineCharacters += size(policy.Properties?.PolicyDocument);
        } else if (policy.Type === 'AWS::IAM::ManagedPolicy' && !refersTo(managedArns, policyId)) {
          managedPolicies += 1;
        }
      }
      return { role: roleId, inlineCharacters, managedPolicies };
    });
  const managedPolicies = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
    .map(([policy, r]) => ({ policy, characters: size(r.Properties?.PolicyDocument) }));
  return { roles, managedPolicies };
}

/**
 * One sentence per role or managed policy over an IAM limit, naming it (by `names`, e.g. construct
 * paths, else its logical id) and its size against the limit; empty when everything fits.
 *
 * @example
 * const findings = policySizeFindings(template, constructPaths(stack));
 * if (findings.length > 0) throw new Error(findings.join('\n'));
 */
export function policySizeFindings(
  template: PolicyTemplate,
  names: ReadonlyMap<string, string> = new Map(),
): string[] {
  const name = (logicalId: string) => names.get(logicalId) ?? logicalId;
  const limits = IAM_POLICY_LIMITS;
  const { roles, managedPolicies } = policySizes(template);
  const findings: string[] = [];
  for (const role of roles) {
    if (role.inlineCharacters > limits.roleInlineCharacters) {
      findings.push(
        `role ${name(role.role)}: its inline policies hold ${count(role.inlineCharacters)} characters with tokens ` +
          `resolved at their longest; IAM allows ${count(limits.roleInlineCharacters)} per role`,
      );
    }
    if (role.managedPolicies > limits.managedPoliciesPerRole) {
      findings.push(
        `role ${name(role.role)}: ${role.managedPolicies} managed policies attached; IAM allows ` +
          `${limits.managedPoliciesPerRole} per role by default`,
      );
    }
  }
  for (const policy of managedPolicies) {
    if (policy.characters > limits.managedPolicyCharacters) {
      findings.push(
        `managed policy ${name(policy.policy)}: ${count(policy.characters)} characters with tokens resolved at ` +
          `their longest; IAM allows ${count(limits.managedPolicyCharacters)} per managed policy`,
      );
    }
  }
  return findings;
}

/** The length of a policy document as IAM counts it: JSON without whitespace, every token at its longest. */
function resolvedLength(document: unknown, resources: Record<string, TemplateResource>): number {
  if (document === undefined) return 0;
  return JSON.stringify(resolveLongest(document, resources)).length;
}

function resolveLongest(value: unknown, resources: Record<string, TemplateResource>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveLongest(v, resources));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = object[key];
    if (key === 'Ref') return 'x'.repeat(referenceLength(String(argument), resources));
    if (key === 'Fn::GetAtt') {
      const [target] = (typeof argument === 'string' ? argument.split('.') : listOf(argument)) as [string];
      const [, attribute] = (typeof argument === 'string' ? argument.split('.') : listOf(argument)) as [
        string,
        string,
      ];
      return 'x'.repeat(attributeLength(target, resources, attribute));
    }
    if (key === 'Fn::Join') {
      const [delimiter, items] = argument as [string, unknown[]];
      return listOf(items)
        .map((item) => stringOf(resolveLongest(item, resources)))
        .join(delimiter);
    }
    if (key === 'Fn::Sub') {
      const [text, variables] = (typeof argument === 'string' ? [argument, {}] : argument) as [
        string,
        Record<string, unknown>,
      ];
      return text.replace(/\$\{([^}!][^}]*)\}/g, (_, variable: string) => {
        if (variable in variables) return stringOf(resolveLongest(variables[variable], resources));
        const [target, attribute] = variable.split('.');
        return 'x'.repeat(
          attribute === undefined
            ? referenceLength(variable, resources)
            : attributeLength(target as string, resources, attribute),
        );
      });
    }
    if (key.startsWith('Fn::')) return 'x'.repeat(OTHER_TOKEN_LENGTH);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveLongest(object[k], resources)]));
}

function referenceLength(name: string, resources: Record<string, TemplateResource>): number {
  return PSEUDO_PARAMETER_LENGTH[name] ?? attributeLength(name, resources);
}

/** A `Ref` or `Fn::GetAtt` of a resource: an AppConfig id (not an ARN), or anything else at its longest. */
function attributeLength(
  logicalId: string,
  resources: Record<string, TemplateResource>,
  attribute?: string,
): number {
  const appConfigId = resources[logicalId]?.Type.startsWith('AWS::AppConfig::') && attribute !== 'Arn';
  return appConfigId ? APPCONFIG_ID_LENGTH : OTHER_TOKEN_LENGTH;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function namesRole(policy: TemplateResource, roleId: string): boolean {
  return (
    refersTo(listOf(policy.Properties?.Roles), roleId) || refersTo([policy.Properties?.RoleName], roleId)
  );
}

function refersTo(values: readonly unknown[], logicalId: string): boolean {
  return values.some(
    (v) => typeof v === 'object' && v !== null && (v as { Ref?: unknown }).Ref === logicalId,
  );
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
