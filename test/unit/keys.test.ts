import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  boolean,
  duration,
  durationMs,
  integer,
  json,
  oneOf,
  string,
  url,
} from '../../functions/core/keys.ts';

describe('Codec: integer', () => {
  const retries = integer({ min: 0, max: 10 });

  it.each(['1e3', ' 5', '5 ', '05', '5.0', '+5', '0x5', '', '-0', 'five', '5_000', '٣'])(
    'rejects the non-canonical string %j',
    (raw) => {
      // Act
      const result = retries.decode(raw, 'max-retries');

      // Assess
      expect(result.ok).toBe(false);
    },
  );

  it('accepts canonical decimals within bounds and rejects those outside', () => {
    expect(retries.decode('0')).toEqual({ ok: true, value: 0 });
    expect(retries.decode('10')).toEqual({ ok: true, value: 10 });
    expect(retries.decode('11').ok).toBe(false);
    expect(integer({ min: -5, max: 5 }).decode('-3')).toEqual({ ok: true, value: -3 });
  });

  it('round-trips every integer in bounds and decodes only canonical forms (property)', () => {
    const wide = integer({ min: -1_000_000, max: 1_000_000 });
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (n) => {
        expect(wide.decode(wide.encode(n))).toEqual({ ok: true, value: n });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const result = wide.decode(raw);
        // Whatever decodes must re-encode to exactly the same string: no two spellings of one number.
        if (result.ok) expect(wide.encode(result.value)).toBe(raw);
      }),
    );
  });

  it('names the key in the issue, never the value', () => {
    // Act
    const result = retries.decode('five', 'max-retries');

    // Assess
    expect(result).toEqual({
      ok: false,
      issues: [{ path: 'max-retries', message: 'expected a canonical decimal integer' }],
    });
  });
});

describe('Codec: boolean', () => {
  it.each(['yes', 'no', '1', '0', 'True', 'FALSE', ' true', 'true ', ''])('rejects %j', (raw) => {
    expect(boolean().decode(raw).ok).toBe(false);
  });

  it('accepts exactly true and false', () => {
    expect(boolean().decode('true')).toEqual({ ok: true, value: true });
    expect(boolean().decode('false')).toEqual({ ok: true, value: false });
  });

  it('decodes only the two canonical strings (property)', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        expect(boolean().decode(raw).ok).toBe(raw === 'true' || raw === 'false');
      }),
    );
  });
});

describe('Codec: json', () => {
  const rates = json(z.strictObject({ standard: z.number(), express: z.number() }));

  it.each(['"text"', '5', 'true', 'null', '{not json', ''])('rejects the non-object JSON %j', (raw) => {
    expect(rates.decode(raw).ok).toBe(false);
  });

  it('accepts an object matching its schema and points at the bad field otherwise', () => {
    expect(rates.decode('{"standard":1,"express":2}')).toEqual({
      ok: true,
      value: { standard: 1, express: 2 },
    });
    const result = rates.decode('{"standard":"cheap","express":2}', 'shipping-rates');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.path).toBe('shipping-rates.standard');
  });

  it('rejects unknown fields of a strict object', () => {
    expect(rates.decode('{"standard":1,"express":2,"overnight":3}').ok).toBe(false);
  });

  it('round-trips arbitrary arrays of strings (property)', () => {
    const list = json(z.array(z.string()));
    fc.assert(
      fc.property(fc.array(fc.string()), (value) => {
        expect(list.decode(list.encode(value))).toEqual({ ok: true, value });
      }),
    );
  });
});

describe('Codec: string kinds', () => {
  it('takes strings as they are, whitespace included', () => {
    expect(string().decode(' padded ')).toEqual({ ok: true, value: ' padded ' });
  });

  it('checks enums exactly', () => {
    const level = oneOf(['debug', 'info']);
    expect(level.decode('info')).toEqual({ ok: true, value: 'info' });
    expect(level.decode('INFO').ok).toBe(false);
  });

  it('accepts http(s) URLs and refuses embedded credentials and other schemes', () => {
    expect(url().decode('https://payments.example.com').ok).toBe(true);
    expect(url().decode('https://user:pw@payments.example.com').ok).toBe(false);
    expect(url().decode('ftp://example.com').ok).toBe(false);
    expect(url().decode('payments.example.com').ok).toBe(false);
  });

  it('parses durations with units and bounds', () => {
    const timeout = duration({ min: '100ms', max: '30s' });
    expect(timeout.decode('2s')).toEqual({ ok: true, value: '2s' });
    expect(timeout.decode('50ms').ok).toBe(false);
    expect(timeout.decode('1m').ok).toBe(false);
    expect(timeout.decode('02s').ok).toBe(false);
    expect(timeout.decode('2 s').ok).toBe(false);
    expect(durationMs('1h')).toBe(3_600_000);
  });

  it('refuses a default that breaks its own schema', () => {
    expect(() => integer({ min: 0, max: 3 }, { default: 5 })).toThrow(/default/);
  });
});

describe('Option: sensitive', () => {
  it('marks free-form plain kinds sensitive, keeps them String, and defaults to not sensitive', () => {
    // Prepare
    const kinds = [
      string({ sensitive: true }),
      url({ sensitive: true }),
      json(z.object({ a: z.string() }) as never, { sensitive: true }),
      integer({ min: 0, max: 9999 }, { sensitive: true }),
      duration({}, { sensitive: true }),
    ];

    // Assess
    for (const spec of kinds) {
      expect(spec.sensitive).toBe(true);
      expect(spec.parameterType).toBe('String');
    }
    expect(string().sensitive).toBe(false);
    expect(boolean().sensitive).toBe(false);
  });

  it('holds for every SecureString key: its value never travels either', () => {
    // Act + Assess
    expect(string({ secure: true }).sensitive).toBe(true);
    expect(url({ secure: true }).sensitive).toBe(true);
  });

  it('is not offered where the schema lists every value (booleans, enums)', () => {
    // @ts-expect-error: a boolean's two values are public, hiding one hides nothing
    const flag = () => boolean({ sensitive: true });
    // @ts-expect-error: an enum's values are listed in the schema
    const choice = () => oneOf(['a', 'b'], { sensitive: true });

    // Assess: a config written in JavaScript gets the same answer at definition time
    expect(flag).toThrow('boolean keys cannot be sensitive');
    expect(choice).toThrow('enum keys cannot be sensitive');
  });
});
