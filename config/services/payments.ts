/** The payments service: card capture through an external provider. */
import * as z from 'zod/mini';
import { duration, integer, json, oneOf, string, url } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';

export const payments = defineService({
  name: 'payments',
  description: 'Card payments through an external provider',
  keys: {
    provider: oneOf(['stripe', 'adyen'], { default: 'stripe' }),
    'provider-url': url(),
    'capture-delay': duration({ min: '0s', max: '7d' }, { default: '0s' }),
    'fraud-threshold': integer({ min: 0, max: 100 }, { default: 80 }),
    'db/credentials-ref': string({ pattern: /^[A-Za-z0-9/_+=.@-]+$/, description: 'Name of the db secret' }),
    limits: json(
      z.strictObject({
        perTransaction: z.number().check(z.positive()),
        perDay: z.number().check(z.positive()),
      }),
    ),
  },
  values: {
    staging: {
      'provider-url': 'https://sandbox.provider.example.com',
      'db/credentials-ref': 'config/staging/payments/db',
      limits: { perTransaction: 1000, perDay: 10000 },
    },
    production: {
      'provider-url': 'https://api.provider.example.com',
      'db/credentials-ref': 'config/production/payments/db',
      limits: { perTransaction: 1000, perDay: 10000 },
    },
  },
  expectedOverrides: {
    'provider-url': 'staging talks to the provider sandbox',
    'db/credentials-ref': 'each environment has its own database secret',
  },
  secrets: {
    'provider-api-key': {
      description: 'API key the provider calls our webhook with',
      shape: 'api-key',
      rotation: { strategy: 'random', schedule: 'cron(0 3 ? * SUN *)', window: '2h' },
      random: { length: 40, alphabet: 'alphanumeric', field: 'apiKey' },
    },
  },
  flags: {
    'max-installments': {
      description: 'Installment payments at checkout, rolling out: how many installments are offered',
      owner: 'team-payments',
      type: 'release',
      created: '2026-11-30',
      expires: '2027-01-09',
      valueKind: 'number',
      defaultValue: 1,
      environments: { staging: { enabled: true, value: 6 }, production: { enabled: true, value: 3 } },
    },
    'beta-dashboard': {
      description: 'Merchant dashboard beta for the beta-merchants group',
      owner: 'team-payments',
      type: 'permission',
      created: '2026-09-01',
      environments: { staging: { enabled: true }, production: { enabled: true, groups: ['beta-merchants'] } },
    },
  },
});
