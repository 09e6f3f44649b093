import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import { formatNagFindings, nagFindings } from '../../lib/nag.ts';
import { IAM_POLICY_LIMITS, policySizeFindings, policySizes } from '../../lib/policy-size.ts';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';
import { largeOrganisation } from '../support/large-organisation.ts';

const settings = loadSettings('config/settings.json');
const CLOUDFORMATION_RESOURCE_LIMIT = 500;

interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** The example organisation plus `extra` generated services, synthesized without bundling. */
function synth(extra: number) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const generated = largeOrganisation(
    extra,
    4,
    settings.environments.map((e) => e.name),
  );
  const stack = new ConfigStewardStack(app, 'ConfigSteward', {
    settings,
    organisation: { ...organisation, services: [...organisation.services, ...generated.services] },
  });
  const template = app.synth().getStackByName('ConfigSteward').template as CfnTemplate;
  return { app, stack, template, resources: Object.keys(template.Resources).length };
}

describe('Stack: ConfigSteward at the largest fleet CloudFormation holds', () => {
  // The largest fleet is found, not written down: resources per service change as the stack does.
  let fleet: ReturnType<typeof synth> & { extra: number };
  beforeAll(() => {
    const base = synth(0).resources;
    const thirty = synth(30);
    const perService = (thirty.resources - base) / 30;
    let extra = 30 + Math.floor((CLOUDFORMATION_RESOURCE_LIMIT - thirty.resources) / perService);
    // Resources grow in steps (an overflow policy more), so the estimate can overshoot by a few, which
    // CDK's synth refuses outright (TooManyResourcesInStack): step down until it synthesizes.
    const within = (n: number) => {
      try {
        return synth(n);
      } catch (error) {
        if (
          /TooManyResourcesInStack|Number of resources in stack/.test(
            `${(error as Error).name} ${(error as Error).message}`,
          )
        )
          return undefined;
        throw error;
      }
    };
    let largest = extra === 30 ? thirty : within(extra);
    while ((largest === undefined || largest.resources > CLOUDFORMATION_RESOURCE_LIMIT) && extra > 30)
      largest = within(--extra);
    if (largest === undefined) throw new Error('no fleet of 30 extra services or more synthesizes');
    fleet = { ...largest, extra };
  }, 900_000);

  it('holds at least 30 services besides the example organisation under 500 resources', () => {
    expect(fleet.resources, `${fleet.extra} extra services`).toBeLessThanOrEqual(
      CLOUDFORMATION_RESOURCE_LIMIT,
    );
    expect(fleet.extra).toBeGreaterThanOrEqual(30);
  });

  it("keeps every role and managed policy within IAM's limits with tokens resolved at their longest", () => {
    // Act
    const sizes = policySizes(fleet.template);
    const findings = policySizeFindings(fleet.template);

    // Assess
    expect(findings, `${fleet.extra} extra services`).toEqual([]);
    expect(sizes.roles.length).toBeGreaterThan(5);
    for (const role of sizes.roles) {
      expect(role.inlineCharacters, role.role).toBeLessThanOrEqual(IAM_POLICY_LIMITS.roleInlineCharacters);
      expect(role.managedPolicies, role.role).toBeLessThanOrEqual(IAM_POLICY_LIMITS.managedPoliciesPerRole);
    }
    for (const policy of sizes.managedPolicies) {
      expect(policy.characters, policy.policy).toBeLessThanOrEqual(IAM_POLICY_LIMITS.managedPolicyCharacters);
    }
  });

  it('grants AppConfig per application, never across the account, and keeps the delivery out of the kill switches', () => {
    // Prepare
    const statements = Object.values(fleet.template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => {
        const document = r.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
        return document.Statement.map((s): Record<string, unknown> & { roles: string } => ({
          ...s,
          roles: JSON.stringify(r.Properties?.Roles ?? []),
        }));
      });
    const resources = (s: Record<string, unknown>) => [s.Resource].flat().map(flattenCfnReference);
    const appConfig = statements.filter((s) => JSON.stringify(s.Action).includes('appconfig:'));

    // Assess
    for (const statement of appConfig) {
      expect(JSON.stringify(statement.Action)).not.toContain('appconfig:*');
      for (const arn of resources(statement)) expect(arn).not.toMatch(/:application\/\*$/);
    }
    const deny = appConfig.filter((s) => s.Effect === 'Deny');
    expect(deny.every((s) => s.roles.includes('ChangeDeliveryDeliverChangesRole'))).toBe(true);
    const deniedEnvironments = deny.flatMap(resources).filter((arn) => arn.includes('/environment/'));
    const killSwitchEnvironments = Object.entries(fleet.template.Resources).filter(
      ([id, r]) => r.Type === 'AWS::AppConfig::Environment' && id.startsWith('KillSwitchesEnvironment'),
    );
    expect(killSwitchEnvironments.length).toBeGreaterThan(0);
    for (const [id] of killSwitchEnvironments) {
      expect(
        deniedEnvironments.some((arn) => arn.includes(`<${id}.EnvironmentId>`)),
        id,
      ).toBe(true);
    }
  });

  it('passes cdk-nag with every per-application wildcard acknowledged', () => {
    const findings = nagFindings(fleet.app);
    expect(findings, formatNagFindings(findings)).toEqual([]);
  }, 300_000);
});
