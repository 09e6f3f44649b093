/**
 * The orders service: checkout, order history and the public orders API.
 *
 * JSON keys take a `zod/mini` schema (the Lambdas bundle these definitions, and mini is a quarter
 * of classic zod's size). Mini reads the same, with checks passed to `.check(...)` and wrappers as
 * functions:
 *
 *   classic: z.number().nonnegative().optional()    mini: z.optional(z.number().check(z.nonnegative()))
 *   classic: z.array(z.string().regex(re)).min(1)   mini: z.array(z.string().check(z.regex(re))).check(z.minLength(1))
 *   classic: z.string().refine(fn, 'message')       mini: z.string().check(z.refine(fn, 'message'))
 */
import * as z from 'zod/mini';
import { boolean, duration, integer, json, oneOf, string, url } from '../../functions/core/keys.ts';
import { contextAttribute } from '../../functions/core/flags/evaluation-context.ts';
import { defineService } from '../../functions/core/model.ts';

export const orders = defineService({
  name: 'orders',
  description: 'Checkout and order management',
  keys: {
    'max-retries': integer(
      { min: 0, max: 10 },
      { default: 3, description: 'Retries of a failed payment call' },
    ),
    'retry-backoff': duration({ min: '10ms', max: '10s' }, { default: '200ms' }),
    'payments-api-url': url({ description: 'Base URL of the payments service' }),
    'checkout-enabled': boolean({ default: true }),
    currency: oneOf(['EUR', 'USD', 'GBP'], { default: 'EUR' }),
    'page-size': integer({ min: 1, max: 200 }, { default: 50 }),
    'shipping-rates': json(
      z.strictObject({
        standard: z.number().check(z.nonnegative()),
        express: z.number().check(z.nonnegative()),
        freeAbove: z.optional(z.number().check(z.nonnegative())),
      }),
    ),
    'allowed-countries': json(z.array(z.string().check(z.regex(/^[A-Z]{2}$/))).check(z.minLength(1))),
    'db/pool-size': integer({ min: 1, max: 100 }, { default: 10 }),
    'promo-code': string({ pattern: /^[A-Z0-9-]{0,32}$/, default: '' }),
    'webhook-signing-key': string({
      secure: true,
      minLength: 32,
      description: 'Set out of band; never in git',
    }),
  },
  values: {
    staging: {
      'max-retries': 3,
      'payments-api-url': 'https://payments.staging.example.com',
      'shipping-rates': { standard: 4.5, express: 12 },
      'allowed-countries': ['IE', 'GB', 'FR', 'DE'],
      'db/pool-size': 5,
    },
    production: {
      'max-retries': 5,
      'payments-api-url': 'https://payments.example.com',
      'shipping-rates': { standard: 4.5, express: 12 },
      'allowed-countries': ['IE', 'GB', 'FR', 'DE'],
      'db/pool-size': 40,
    },
  },
  expectedOverrides: {
    'max-retries': 'production rides out payment-provider brown-outs; staging fails fast to surface bugs',
    'payments-api-url': 'each environment calls its own payments deployment',
    'db/pool-size': 'production runs a larger database instance',
  },
  secrets: {
    db: {
      description: 'PostgreSQL credentials of the orders database',
      shape: 'postgres',
      rotation: { strategy: 'postgres-alternating-users', schedule: 'rate(30 days)', window: '3h' },
      masterSecret: 'db-master',
      // Placeholders (example.com): put each environment's RDS instance or Aurora writer endpoint here.
      database: {
        staging: { host: 'orders-db.staging.example.com', dbname: 'orders', username: 'orders_app' },
        production: { host: 'orders-db.production.example.com', dbname: 'orders', username: 'orders_app' },
      },
    },
  },
  flags: {
    'new-checkout': {
      description: 'The redesigned checkout flow',
      owner: 'team-orders',
      type: 'release',
      created: '2026-11-30',
      expires: '2027-01-09',
      environments: {
        staging: { enabled: true },
        production: { enabled: true, rolloutPercent: 25, allow: ['customer-qa-1', 'customer-qa-2'] },
      },
    },
    'checkout-button-copy': {
      description: 'A/B test of the checkout button text',
      owner: 'team-growth',
      type: 'experiment',
      created: '2026-11-30',
      expires: '2027-01-09',
      valueKind: 'string',
      defaultValue: 'Buy now',
      environments: {
        staging: { enabled: true, value: 'Complete order' },
        production: { enabled: true, rolloutPercent: 50, value: 'Complete order' },
      },
    },
    'checkout-theme': {
      description: 'Which checkout theme a customer sees: rules over the typed evaluation context',
      owner: 'team-growth',
      type: 'experiment',
      created: '2026-11-30',
      expires: '2027-01-09',
      valueKind: 'string',
      defaultValue: 'classic',
      environments: {
        staging: { enabled: true, value: 'midnight' },
        production: {
          enabled: true,
          variants: [
            { name: 'qa', rule: '(ends_with $targetingKey "-qa")', value: 'midnight' },
            {
              name: 'pro-veterans',
              rule: '(and (eq $tier "pro") (gte $accountAgeDays 30) (in $country ["IE", "GB"]))',
              value: 'midnight',
            },
            { name: 'sample', rule: '(split pct::10 by::$targetingKey)', value: 'sunrise' },
            { name: 'default', value: 'classic' },
          ],
        },
      },
    },
    'disable-recommendations': {
      description: 'Kill switch: stop calling the recommendations service',
      owner: 'team-orders',
      type: 'kill-switch',
      created: '2026-06-01',
      environments: { staging: { enabled: false }, production: { enabled: false } },
    },
  },
  evaluationContext: {
    tier: contextAttribute.oneOf(['free', 'pro']),
    country: contextAttribute.string('ISO 3166 alpha-2 country of the customer'),
    accountAgeDays: contextAttribute.integer({ min: 0 }),
  },
});
