/**
 * The key behind value fingerprints: a KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC) that events,
 * tickets and drift reports are keyed with (`functions/core/fingerprint.ts`). Its material never leaves
 * KMS; only the functions that fingerprint may call `kms:GenerateMac` on it, and no reader of events,
 * tickets or logs is granted anything on it. The CLI finds it by its alias (a stack output too).
 */
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { fingerprintKeyAlias } from '../../functions/core/fingerprint.ts';
import { FINGERPRINT_KEY_ENV } from '../../functions/core/names.ts';
import type { Settings } from '../settings.ts';

export interface ValueFingerprintsProps {
  readonly settings: Settings;
  /**
   * What happens to the key when it leaves the stack. Nothing is encrypted with it: losing it only
   * means new fingerprints no longer equal those made before.
   * @default RemovalPolicy.DESTROY (scheduled deletion after 7 days)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * @example
 * const fingerprints = new ValueFingerprints(this, 'ValueFingerprints', { settings });
 * fingerprints.grantFingerprint(validation.validateChange.fn);
 */
export class ValueFingerprints extends Construct {
  public readonly key: kms.Key;
  /** `alias/<event bus>/value-fingerprints`, how `steward drift` finds the key. */
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: ValueFingerprintsProps) {
    super(scope, id);
    this.aliasName = fingerprintKeyAlias(props.settings.eventBus.name);
    this.key = new kms.Key(this, 'Key', {
      description: 'Config Steward: keys the fingerprints that events and tickets carry instead of values',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      alias: this.aliasName,
      // KMS rotates only symmetric encryption keys automatically, and a rotated key would make new
      // fingerprints unequal to archived ones. cdk-nag's AwsSolutions-KMS5 checks symmetric keys only,
      // so nothing needs acknowledging (test/infra/value-fingerprints.test.ts).
      enableKeyRotation: false,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    new CfnOutput(this, 'KeyArn', {
      description: `The value-fingerprint key (alias ${this.aliasName}); set STEWARD_FINGERPRINT_KEY to it, or let the CLI use the alias`,
      value: this.key.keyArn,
    });
  }

  /** Let a function fingerprint: the key ARN in its environment and `kms:GenerateMac` on this key only. */
  grantFingerprint(fn: lambda.Function): void {
    fn.addEnvironment(FINGERPRINT_KEY_ENV, this.key.keyArn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FingerprintValues',
        actions: ['kms:GenerateMac'],
        resources: [this.key.keyArn],
      }),
    );
  }
}
