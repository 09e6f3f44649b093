/**
 * The stack's AppConfig and kill-switch ids in Standard-tier parameters under
 * `/config-steward/<stack name>/appconfig-targets/<n>`, for the functions that deploy or read them.
 * As environment variables they outgrew Lambda's 4 KB for all of a function's variables at about ten
 * services, and Lambda refuses such a function at deploy time. The ids are split into as few
 * parameters as fit 3.5 KB each with every reference counted at 20 bytes (an id has 7), and the
 * parameters are created one after the other: CloudFormation throttles many `AWS::SSM::Parameter`
 * created at once. A function gets the path (runtime/stack-targets.ts reads it) and
 * `ssm:GetParametersByPath` on it alone.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import type { KillSwitchTargets } from '../../functions/core/flags/kill-switch-targets.ts';
import { APPCONFIG_TARGETS_PATH_ENV, appConfigTargetsPath } from '../../functions/core/names.ts';
import { splitTargets, type TargetChunk } from '../../functions/core/target-chunks.ts';
import { resolvedSizer } from '../resolved-size.ts';
import type { Settings } from '../settings.ts';

/** A Standard parameter holds 4,096 characters; a chunk is kept to this, its references estimated generously. */
export const TARGETS_CHUNK_BUDGET_BYTES = 3_584;

export interface AppConfigTargetParametersProps {
  readonly settings: Settings;
  /** Every service's AppConfig ids (ConfigDelivery's `targets`). */
  readonly appConfig: AppConfigTargets;
  /** The kill-switch ids (KillSwitches' `targets`). @default none */
  readonly killSwitches?: KillSwitchTargets;
}

/**
 * @example
 * const targets = new AppConfigTargetParameters(this, 'AppConfigTargets', { settings, appConfig: delivery.targets });
 * targets.grantRead(deliverChanges.fn);
 */
export class AppConfigTargetParameters extends Construct {
  /** The parameters' path, without a trailing slash. */
  public readonly path: string;
  /** In creation order, each depending on the one before. */
  public readonly parameters: ssm.StringParameter[] = [];

  constructor(scope: Construct, id: string, props: AppConfigTargetParametersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.path = appConfigTargetsPath(stack.stackName);
    const root = props.settings.parameterRoot;
    // Under the root, the change rule would judge them and the drift run report them as strays.
    if (`${this.path}/`.startsWith(`/${root}/`)) {
      throw new ConfigurationError(
        `parameterRoot "${root}" would hold the stack's own parameters (${this.path}): choose another root`,
      );
    }
    const sizeOf = resolvedSizer(this);
    const chunks = splitTargets(
      { appConfig: props.appConfig, killSwitches: props.killSwitches },
      (chunk) => sizeOf(stack.toJsonString(chunk)),
      TARGETS_CHUNK_BUDGET_BYTES,
    );
    // No service at all still gets a parameter: a function reading the path finds no ids, not nothing.
    const written: TargetChunk[] = chunks.length > 0 ? chunks : [{}];
    written.forEach((chunk, i) => {
      const parameter = new ssm.StringParameter(this, `Chunk${i + 1}`, {
        parameterName: `${this.path}/${i + 1}`,
        stringValue: stack.toJsonString(chunk),
        tier: ssm.ParameterTier.STANDARD,
        description: `Config Steward: AppConfig ids of the stack's services (${i + 1} of ${written.length})`,
      });
      const previous = this.parameters[this.parameters.length - 1];
      if (previous) parameter.node.addDependency(previous);
      this.parameters.push(parameter);
    });
  }

  /**
   * The path in `STEWARD_APPCONFIG_TARGETS_PATH`, `ssm:GetParametersByPath` on exactly that path, and
   * the function updated after the parameters.
   */
  grantRead(fn: lambda.Function): void {
    fn.addEnvironment(APPCONFIG_TARGETS_PATH_ENV, this.path);
    // A container keeps the ids it read until the function is updated; updated in parallel, a new
    // container could read (and keep) the ids of the deploy before, or a half-written chain.
    fn.node.defaultChild?.node.addDependency(...this.parameters);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadAppConfigTargets',
        actions: ['ssm:GetParametersByPath'],
        // GetParametersByPath is authorized on the path asked for, not on the parameters returned.
        resources: [
          Stack.of(this).formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: this.path.replace(/^\//, ''),
          }),
        ],
      }),
    );
  }
}
