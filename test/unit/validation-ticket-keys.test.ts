import { describe, expect, it } from 'vitest';
import { parseValidationDedupKey, validationDedupKey } from '../../functions/core/validation/ticket-keys.ts';

describe('Function: validationDedupKey / parseValidationDedupKey', () => {
  it.each([
    ['/config/production/orders/max-retries', 7],
    ['/config/staging/orders/db/pool-size', 123],
    ['/config/staging/orders/max-retries', undefined],
  ])('round-trips %s version %s', (parameter, version) => {
    // Act
    const key = validationDedupKey(parameter, version);

    // Assess
    expect(parseValidationDedupKey(key)).toEqual(
      version === undefined ? { parameter } : { parameter, version },
    );
  });

  it.each([
    'invalid:/config/staging/orders/port',
    'validation:/config/staging/orders/port',
    'validation:/config/staging/orders/port:v',
    'validation:/config/staging/orders/port:v2x',
    'validation:config/staging/orders/port:v2',
    'document-invalid:staging/orders',
    'unreadable:/config/staging/orders/port',
  ])('is not fooled by %s', (key) => {
    expect(parseValidationDedupKey(key)).toBeUndefined();
  });
});
