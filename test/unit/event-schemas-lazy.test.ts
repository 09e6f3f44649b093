import { describe, expect, it, vi } from 'vitest';

/** Counts zod/mini object schemas built, to see when the event catalog is constructed. */
const built = vi.hoisted(() => ({ objects: 0 }));
vi.mock('zod/mini', async (importOriginal) => {
  const zod = await importOriginal<typeof import('zod/mini')>();
  return {
    ...zod,
    strictObject: (...args: Parameters<typeof zod.strictObject>) => {
      built.objects++;
      return zod.strictObject(...args);
    },
  };
});

describe('Event catalog: schemas built on first use', () => {
  it('builds no schema at import, all of them at the first event, and none again after', async () => {
    // Act: import, as a handler's cold start does
    const { eventSchemas, stewardEvent } = await import('../../functions/core/events.ts');

    // Assess
    expect(built.objects).toBe(0);

    // Act: the first event a function publishes
    stewardEvent('Ticket Filed', {
      dedupKey: 'drift:production/orders/max-retries',
      ticket: { tracker: 'opscenter', id: 'oi-1' },
      title: 'Drift',
      created: true,
    });
    const afterFirstEvent = built.objects;
    const schema = eventSchemas['Ticket Filed'];
    stewardEvent('Ticket Filed', {
      dedupKey: 'drift:production/orders/page-size',
      ticket: { tracker: 'opscenter', id: 'oi-2' },
      title: 'Drift',
      created: false,
    });

    // Assess: every detail type's schema at once, then the same instances
    expect(afterFirstEvent).toBeGreaterThanOrEqual(Object.keys(eventSchemas).length);
    expect(built.objects).toBe(afterFirstEvent);
    expect(eventSchemas['Ticket Filed']).toBe(schema);
  });

  it('answers `in` like the built catalog: a known detail type is in it, an unknown one is not', async () => {
    const { eventSchemas } = await import('../../functions/core/events.ts');
    expect('Ticket Filed' in eventSchemas).toBe(true);
    expect('No Such Event' in eventSchemas).toBe(false);
  });

  it('still refuses a malformed detail once built', async () => {
    const { stewardEvent } = await import('../../functions/core/events.ts');
    expect(() =>
      stewardEvent('Ticket Filed', { dedupKey: 'k', title: 't', created: true } as never),
    ).toThrow();
  });
});
