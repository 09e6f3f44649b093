/**
 * The AppConfig validator function every configuration profile calls: it re-validates each document
 * before AppConfig deploys it, finding the service by the application's name.
 */
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { APPCONFIG_PREFIX_ENV } from '../../functions/core/names.ts';
import { grantWithinApplications } from '../appconfig-access.ts';
import type { Settings } from '../settings.ts';
import { StewardFunction } from './steward-function.ts';

export interface DocumentValidatorProps {
  readonly settings: Settings;
  /**
   * Prefix of the AppConfig application names (the config-delivery construct's `namePrefix`), so the
   * validator can find the service of an application.
   * @default ''
   */
  readonly appConfigNamePrefix?: string;
}

/**
 * @example
 * const validator = new DocumentValidator(this, 'AppConfigValidator', { settings });
 * const delivery = new ConfigDelivery(this, 'Delivery', { settings, registry, validatorFunctionArn: validator.function.fn.functionArn });
 * validator.validateApplications(Object.values(delivery.targets).map((t) => t.applicationId));
 */
export class DocumentValidator extends Construct {
  /** appconfig-validator, for every configuration profile's `validators`. */
  public readonly function: StewardFunction;

  constructor(scope: Construct, id: string, props: DocumentValidatorProps) {
    super(scope, id);
    // 'Default' is left out of logical IDs: the function keeps the IDs it had before this construct.
    this.function = new StewardFunction(this, 'Default', {
      entry: 'functions/handlers/appconfig-validator.ts',
      settings: props.settings,
      description: 'AppConfig validator: re-validates every configuration document before deployment',
      // AppConfig allows the validator 15 seconds, start-up included.
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: { [APPCONFIG_PREFIX_ENV]: props.appConfigNamePrefix ?? '' },
    });
    // It reads application and profile names of the stack's applications only: see validateApplications.
  }

  /**
   * Let the validator read the names of these applications and of their profiles, which is how it
   * finds the service and document of an invocation: GetApplication and GetConfigurationProfile
   * within these applications (one ARN pair each, see lib/appconfig-access.ts). The profiles cannot be
   * named: that would be a cycle (each profile references the validator function, which waits for its
   * role's policy). The stack's applications hold only the profiles it creates.
   */
  validateApplications(applicationIds: readonly string[]): void {
    grantWithinApplications(this.function.role, {
      sid: 'LocateApplicationsAndProfiles',
      actions: ['appconfig:GetApplication', 'appconfig:GetConfigurationProfile'],
      applicationIds,
      reason:
        "Names of the stack's own applications and their profiles only; the profile ids cannot be named because " +
        'every profile references this validator (a cycle).',
    });
  }
}
