/** cdk-nag's AwsSolutions and Serverless packs, run over a construct tree, findings flattened. */
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface NagFinding {
  readonly rule: string;
  readonly resource: string;
  readonly description: string;
}

/** The packs every Steward stack must pass with zero unacknowledged findings. */
export function nagPacks() {
  return [new AwsSolutionsChecks(), new ServerlessChecks()];
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
