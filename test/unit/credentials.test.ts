import { describe, expect, it } from 'vitest';
import { looksLikeCredential } from '../../functions/core/credentials.ts';

// Fake credentials of the right shapes, built here so no real-looking token sits in the repository.
const alnum = (length: number, seed: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += alphabet[x % alphabet.length];
  }
  return out;
};
const upperDigits = (length: number, seed: number) =>
  alnum(length * 3, seed)
    .replace(/[a-z]/g, '')
    .toUpperCase()
    .slice(0, length)
    .padEnd(length, '7');
const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const positives: [string, string, string][] = [
  ['db-password', 'correct horse battery', 'password'],
  ['database/password', 'Pa55word!', 'password'],
  ['DB_PASSWORD', 'letmein-please', 'password'],
  ['smtpPassword', 's3cr3t-mail', 'password'],
  ['admin-passwd', 'rootroot', 'passwd'],
  ['ldap-pwd', 'abcd1234', 'pwd'],
  ['signing-secret', 'some-shared-secret', 'secret'],
  ['client-secret', 'x7-client-secret', 'secret'],
  ['webhook/token', 'tok-live-9911', 'token'],
  ['auth-token', 'opaque-session', 'token'],
  ['api-key', 'key-12345-abcde', 'api key'],
  ['provider/apiKey', 'abcdefghij', 'api key'],
  ['apikey', 'plainkey-value', 'apikey'],
  ['aws-access-key', 'not-an-id-but-named', 'access key'],
  ['tls/private-key', 'MIIBOgIBAAJBAK', 'private key'],
  ['jwt-signing-key', 'hs256-signing-key-material', 'signing key'],
  ['credentials', 'user:pass', 'credential'],
  ['sentry-dsn', 'https://abc@o1.ingest.sentry.io/1', 'dsn'],
  [
    'pem',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
    'private key block',
  ],
  ['cert', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq\n-----END PRIVATE KEY-----', 'private key block'],
  [
    'ssh',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE\n-----END OPENSSH PRIVATE KEY-----',
    'private key block',
  ],
  ['ec', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----', 'private key block'],
  ['aws-id', `AKIA${upperDigits(16, 1)}`, 'AWS access key id'],
  ['session-id-ish', `ASIA${upperDigits(16, 2)}`, 'AWS access key id'],
  ['deploy', `export AWS_ACCESS_KEY_ID=AKIA${upperDigits(16, 3)}`, 'AWS access key id'],
  ['gh', `ghp_${alnum(36, 4)}`, 'GitHub token'],
  ['gh-oauth', `gho_${alnum(36, 5)}`, 'GitHub token'],
  ['gh-app', `ghs_${alnum(36, 6)}`, 'GitHub token'],
  ['gh-fine', `github_pat_${alnum(22, 7)}_${alnum(59, 8)}`, 'GitHub fine-grained token'],
  ['slack-bot', `xoxb-${'1234567890'}-${'0987654321'}-${alnum(24, 9)}`, 'Slack token'],
  ['slack-user', `xoxp-${'1111111111'}-${alnum(20, 10)}`, 'Slack token'],
  [
    'notify',
    `https://hooks.slack.com/services/T0000${upperDigits(4, 11)}/B0000${upperDigits(4, 12)}/${alnum(24, 13)}`,
    'Slack webhook URL',
  ],
  ['stripe', `sk_live_${alnum(24, 14)}`, 'Stripe secret key'],
  ['maps', `AIza${alnum(35, 15)}`, 'Google API key'],
  [
    'session',
    `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'John', iat: 1516239022 })}.${alnum(43, 16)}`,
    'JSON web token',
  ],
  ['db-url', 'postgres://app:s3cretPass@db.internal:5432/orders', 'password in a URL'],
  ['amqp', 'amqps://guest:guestpw@mq.example.com/vhost', 'password in a URL'],
  [
    'connection',
    'Server=db;Database=orders;User Id=app;Password=Sup3rS3cret;',
    'password in a connection string',
  ],
  ['opaque', alnum(40, 17), 'high-entropy string'],
  ['upload-signature', `${alnum(20, 18)}/${alnum(19, 19)}`, 'high-entropy string'],
  ['blob', alnum(32, 20), 'high-entropy string'],
  ['header', `Bearer ${alnum(40, 21)}`, 'high-entropy string'],
];

const negatives: [string, string][] = [
  ['request-id', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'],
  ['tenant', '3F2504E0-4F89-11D3-9A0C-0305E82C3301'],
  ['build-sha', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['schema-sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['etag', 'D41D8CD98F00B204E9800998ECF8427E'],
  ['provider-url', 'https://api.provider.example.com/v2/payments?currency=EUR'],
  ['callback', 'https://example.com/hooks/orders/ZyXwVuTsRq12345?ref=checkout'],
  ['db-host', 'postgres://db.internal:5432/orders'],
  ['docs', 'https://user@example.com/path'],
  ['defaults', b64json({ retries: 3, timeoutMs: 2500, regions: ['eu-west-1', 'us-east-1'] })],
  ['template', b64json({ greeting: 'Hello there', locale: 'en-IE', enabled: true })],
  ['flag', 'enable-new-checkout-flow-for-beta-merchants-in-europe'],
  ['flag-camel', 'EnableNewCheckoutFlowForBetaMerchantsInEurope'],
  ['feature', 'checkout.v2.express-payments.rollout-2026-q4'],
  ['max-retries', '5'],
  ['timeout', '30s'],
  ['log-level', 'INFO'],
  ['description', 'The orders service handles checkout, refunds and returns for EU customers'],
  ['limits', '{"perTransaction":1000,"perDay":10000}'],
  ['db/credentials-ref', 'config/production/payments/db'],
  ['password-min-length', '12'],
  ['token-ttl', '3600'],
  ['token-url', 'https://auth.example.com/oauth/token'],
  ['api-key-header', 'X-Api-Key'],
  ['secret-arn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-AbCdEf'],
  ['password-required', 'true'],
  ['client-secret', '{{resolve:secretsmanager:payments/oauth:SecretString:clientSecret}}'],
  ['api-key', ''],
  ['region', 'eu-west-1'],
  ['bucket', 'orders-exports-123456789012-eu-west-1'],
  ['queue-arn', 'arn:aws:sqs:eu-west-1:123456789012:orders-dead-letter'],
  ['date', '2026-11-23T09:11:38.000Z'],
  ['version', 'v1.24.3-rc.2+build.20261123'],
  ['email', 'platform-team@example.com'],
  ['cron', 'cron(0 2 * * ? *)'],
  ['path', '/config/production/orders/max-retries'],
  ['image', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:2026.11.23'],
  ['token-issuer', 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example'],
];

describe('Function: looksLikeCredential', () => {
  it('has a table of at least 30 positives and 30 negatives', () => {
    // Assess
    expect(positives.length).toBeGreaterThanOrEqual(30);
    expect(negatives.length).toBeGreaterThanOrEqual(30);
  });

  it.each(positives)('fires on %s', (name, value, reason) => {
    // Act
    const verdict = looksLikeCredential(name, value);

    // Assess
    expect(verdict.matched).toBe(true);
    expect(verdict.reason).toContain(reason);
  });

  it.each(negatives)('stays silent on %s', (name, value) => {
    // Act
    const verdict = looksLikeCredential(name, value);

    // Assess
    expect(verdict).toEqual({ matched: false });
  });

  it('never repeats the value in its reason', () => {
    // Prepare
    const secret = `ghp_${alnum(36, 99)}`;

    // Act
    const verdict = looksLikeCredential('anything', secret);

    // Assess
    expect(verdict.matched).toBe(true);
    expect(verdict.reason).not.toContain(secret.slice(4));
  });
});
