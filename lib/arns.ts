/** ARNs the constructs build by name. */
import { ArnFormat, type Stack } from 'aws-cdk-lib';

/**
 * The ARN pattern of a secret known by name: Secrets Manager appends six random characters.
 *
 * @example
 * role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArnByName(stack, 'tracker/token')] }));
 */
export function secretArnByName(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${name}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
