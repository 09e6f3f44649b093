/**
 * The ARNs of every AppConfig grant, so grants grow with the number of applications, not with
 * (application × environment × profile), and stay inside the stack's own applications.
 *
 * Which resource types each action authorises (Service Authorization Reference, AWS AppConfig,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsappconfig.html):
 * - StartDeployment: application, configurationprofile, deploymentstrategy and environment, all required;
 * - CreateHostedConfigurationVersion, ListHostedConfigurationVersions: application and configurationprofile;
 * - GetHostedConfigurationVersion: application, configurationprofile and hostedconfigurationversion;
 * - ListDeployments: application and environment; GetDeployment: application, environment and deployment;
 * - GetApplication: application; GetConfigurationProfile: application and configurationprofile;
 * - StartConfigurationSession, GetLatestConfiguration: configuration
 *   (`application/<id>/environment/<id>/configuration/<profile id>`);
 * - ListApplications, ListDeploymentStrategies: no resource type (`*` only).
 *
 * Every resource type but the deployment strategy is `application/<id>` or lies under
 * `application/<id>/`, so the pair `application/<id>`, `application/<id>/*` authorises any of these
 * actions on anything of that application, and nothing of another one: one pair per application, not
 * one ARN per (environment, profile). Where a grant must stop short of part of an application (the
 * kill-switch environments, the documents a flags reader must not read), profiles and environments
 * are named exactly, or denied. The strategies are always named exactly.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcardGrant } from './nag.ts';

/**
 * ARNs per statement: CDK can move whole statements into overflow managed policies but never split
 * one. CDK estimates each tokenised ARN at 150 characters and fills a managed policy to 6,000 by that
 * estimate, so 36 ARNs (about 5,500) fit in one; resolved at their longest they are about 2,800.
 */
export const ARNS_PER_STATEMENT = 36;

/**
 * An exact AppConfig ARN: `resourceName` under `application/` (an application, or a path in one), or a
 * deployment strategy with `{ strategy: id }`.
 *
 * @example
 * appConfigArn(stack, `${appId}/environment/${envId}`); // arn:…:appconfig:…:application/<appId>/environment/<envId>
 * appConfigArn(stack, { strategy: strategyId });         // arn:…:appconfig:…:deploymentstrategy/<strategyId>
 */
export function appConfigArn(stack: Stack, resource: string | { strategy: string }): string {
  return typeof resource === 'string'
    ? stack.formatArn({ service: 'appconfig', resource: 'application', resourceName: resource })
    : stack.formatArn({
        service: 'appconfig',
        resource: 'deploymentstrategy',
        resourceName: resource.strategy,
      });
}

/** A configuration profile of one of the stack's applications. */
export interface ProfileRef {
  readonly applicationId: string;
  readonly profileId: string;
}

interface Grant {
  /** The statement id; chunks after the first get `2`, `3`, … appended. */
  readonly sid: string;
  readonly actions: readonly string[];
  /** Why the `/*` ARNs are narrow enough: the sentence a cdk-nag reviewer reads. */
  readonly reason: string;
}

export interface ApplicationsGrant extends Grant {
  /** The stack's own applications the actions apply to, with anything in them. */
  readonly applicationIds: readonly string[];
}

export interface ProfilesGrant extends Grant {
  /** The profiles the actions apply to, with their hosted versions, and nothing else of their applications. */
  readonly profiles: readonly ProfileRef[];
}

/**
 * Allow these actions on these applications and anything in them (`application/<id>` and
 * `application/<id>/*` each), in statements CDK can spread over overflow policies, each wildcard pair
 * acknowledged to cdk-nag with the reason.
 *
 * Not for an action whose reach must stop short of part of an application (a deployment into a
 * kill-switch environment, a read of the documents): use {@link grantOnProfiles}, exact ARNs, or a
 * Deny ({@link exactStatements}) for those.
 *
 * @example
 * grantWithinApplications(role, {
 *   sid: 'DeliverDocuments',
 *   actions: ['appconfig:CreateHostedConfigurationVersion', 'appconfig:StartDeployment'],
 *   applicationIds: targets.map((t) => t.applicationId),
 *   reason: "The stack's own applications only: AppConfig numbers versions and deployments.",
 * });
 */
export function grantWithinApplications(grantee: iam.IGrantable, grant: ApplicationsGrant): void {
  const stack = stackOf(grantee);
  const groups = [...new Set(grant.applicationIds)].map((id) => [
    appConfigArn(stack, id),
    appConfigArn(stack, `${id}/*`),
  ]);
  addChunked(grantee, grant, groups);
}

/**
 * Allow these actions on these profiles and their hosted versions (`…/configurationprofile/<id>` and
 * `…/configurationprofile/<id>/*`) and on their applications' own ARN (which every profile action
 * also authorises on), nothing else of the applications.
 *
 * @example
 * grantOnProfiles(job.role, {
 *   sid: 'ReadHostedFlags',
 *   actions: ['appconfig:GetHostedConfigurationVersion'],
 *   profiles: targets.map((t) => ({ applicationId: t.applicationId, profileId: t.flagsProfileId })),
 *   reason: 'Hosted versions of the flags profiles only: AppConfig numbers them.',
 * });
 */
export function grantOnProfiles(grantee: iam.IGrantable, grant: ProfilesGrant): void {
  const stack = stackOf(grantee);
  const groups = grant.profiles.map(({ applicationId, profileId }) => {
    const profile = appConfigArn(stack, `${applicationId}/configurationprofile/${profileId}`);
    return [appConfigArn(stack, applicationId), profile, `${profile}/*`];
  });
  addChunked(grantee, grant, groups);
}

/**
 * Statements on exact resources, at most {@link ARNS_PER_STATEMENT} ARNs each, for what must be named
 * one by one (the kill-switch environments). With `iam.Effect.DENY` they keep a grant made per
 * application away from them: an explicit Deny wins over any Allow.
 *
 * @example
 * for (const s of exactStatements('NeverDeployKillSwitches', ['appconfig:StartDeployment'], arns, iam.Effect.DENY)) role.addToPrincipalPolicy(s);
 */
export function exactStatements(
  sid: string,
  actions: readonly string[],
  resources: readonly string[],
  effect: iam.Effect = iam.Effect.ALLOW,
): iam.PolicyStatement[] {
  return chunks([...new Set(resources)], ARNS_PER_STATEMENT).map(
    (chunk, index) =>
      new iam.PolicyStatement({ sid: chunkSid(sid, index), effect, actions: [...actions], resources: chunk }),
  );
}

/**
 * One Allow statement per chunk of whole groups (a group's ARNs stay together) of at most
 * {@link ARNS_PER_STATEMENT} ARNs, duplicates dropped, wildcard pairs acknowledged.
 */
function addChunked(grantee: iam.IGrantable, grant: Grant, groups: readonly string[][]): void {
  const statements: string[][] = [];
  const seen = new Set<string>();
  for (const group of groups) {
    const fresh = group.filter((arn) => !seen.has(arn));
    fresh.forEach((arn) => seen.add(arn));
    const last = statements.at(-1);
    if (last && last.length + fresh.length <= ARNS_PER_STATEMENT) last.push(...fresh);
    else if (fresh.length > 0) statements.push(fresh);
  }
  const principal = grantee.grantPrincipal;
  for (const [index, resources] of statements.entries()) {
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: chunkSid(grant.sid, index), actions: [...grant.actions], resources }),
    );
    const wildcards = resources.filter((arn) => arn.endsWith('/*'));
    if (Construct.isConstruct(principal) && wildcards.length > 0) {
      acknowledgeWildcardGrant(principal, {
        actions: grant.actions,
        resources: wildcards,
        reason: grant.reason,
      });
    }
  }
}

function stackOf(grantee: iam.IGrantable): Stack {
  return Stack.of(grantee.grantPrincipal as unknown as Construct);
}

function chunkSid(sid: string, index: number): string {
  return index === 0 ? sid : `${sid}${index + 1}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
