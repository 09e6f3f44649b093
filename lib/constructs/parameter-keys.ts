/**
 * Use of the KMS keys that SecureString parameters are encrypted with, in one place for every function
 * that reads (or writes) them: exactly the customer managed keys the settings name
 * (`parameterKmsKeyArns`), only through Parameter Store, and no grant at all for the AWS managed
 * `aws/ssm` key. Its key policy, which AWS maintains, already lets every IAM principal of the account
 * use it through Parameter Store ("The AWS managed key for Parameter Store (aws/ssm) grants Decrypt
 * permission to all IAM principals in the AWS account": AWS Systems Manager User Guide, "Restricting
 * decryption of SecureString parameter values"), so an IAM grant would add nothing but a `key/*`
 * wildcard that also reached every customer managed key of the account.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Settings } from '../settings.ts';

export interface ParameterKeyAccess {
  /** Also encrypt (restores write SecureStrings back). @default false: decrypt only */
  readonly write?: boolean;
}

/**
 * @returns the statement granted, or undefined when the parameters use the AWS managed key only
 * @example
 * grantParameterKeys(driftRole, settings);                  // decrypt
 * grantParameterKeys(validatorRole, settings, { write: true }); // decrypt and encrypt
 */
export function grantParameterKeys(
  role: iam.IRole,
  settings: Settings,
  access: ParameterKeyAccess = {},
): iam.PolicyStatement | undefined {
  if (settings.parameterKmsKeyArns.length === 0) return undefined;
  const stack = Stack.of(role);
  const statement = new iam.PolicyStatement({
    sid: 'ParameterKeysThroughSsmOnly',
    actions: [
      'kms:Decrypt',
      ...(access.write ? ['kms:Encrypt'] : []),
      // Advanced-tier SecureStrings are envelope-encrypted: a write asks for a data key.
      ...(access.write && settings.parameterTier === 'Advanced' ? ['kms:GenerateDataKey'] : []),
    ],
    resources: [...settings.parameterKmsKeyArns],
    conditions: { StringEquals: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com` } },
  });
  role.addToPrincipalPolicy(statement);
  return statement;
}
