/**
 * Reads a tracker token from Secrets Manager. Imported only on the GitHub and Jira path, so a handler
 * on the default tracker (OpsCenter) never loads it; named imports keep the rest of the Secrets
 * Manager client (a namespace import would carry every command) out of the bundle.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../../core/errors.ts';

let defaultClient: SecretsManagerClient | undefined;

/**
 * @example
 * const token = await readSecretString('config-steward/github-token');
 */
export async function readSecretString(
  secretName: string,
  client: SecretsManagerClient = (defaultClient ??= new SecretsManagerClient({})),
): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
  if (!SecretString) throw new ConfigurationError(`secret ${secretName} has no string value`);
  return SecretString;
}
