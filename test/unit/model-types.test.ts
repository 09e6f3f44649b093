/**
 * Compile-time guarantees of `defineService`, checked by `npm run build` (tsc): each `@ts-expect-error`
 * below fails the typecheck if the wrong desired value ever becomes acceptable.
 */
import { describe, expect, it } from 'vitest';
import { boolean, integer } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';

describe('Function: defineService (types)', () => {
  it('rejects desired values of the wrong type and undeclared keys at compile time', () => {
    const keys = { 'max-retries': integer({ min: 0, max: 10 }), 'checkout-enabled': boolean() };
    const service = defineService({
      name: 'orders',
      keys,
      values: {
        // @ts-expect-error a string is not an integer key's value
        staging: { 'max-retries': 'five' },
        // @ts-expect-error 'yes' is not a boolean
        production: { 'checkout-enabled': 'yes' },
      },
    });
    const misspelt = defineService({
      name: 'orders',
      keys,
      // @ts-expect-error max_retires is not a declared key
      values: { production: { max_retires: 4 } },
    });
    expect([service.name, misspelt.name]).toEqual(['orders', 'orders']);
  });
});
