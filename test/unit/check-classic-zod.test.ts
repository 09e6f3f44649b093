import { describe, expect, it } from 'vitest';
import * as classic from 'zod';
import * as mini from 'zod/mini';
import { checkDesiredState } from '../../functions/core/check.ts';
import { json } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { fixtureOrganisation, fixtureSettings } from '../support/fixture-organisation.ts';

const settings = fixtureSettings();

describe('Function: checkDesiredState (zod flavour under json())', () => {
  it('refuses a classic zod schema under json(), naming the key and giving its zod/mini form', () => {
    // Prepare
    const inventory = defineService({
      name: 'inventory',
      keys: {
        thresholds: json(
          classic.strictObject({ warn: classic.number().nonnegative(), critical: classic.number() }),
        ),
      },
      values: {
        staging: { thresholds: { warn: 10, critical: 2 } },
        production: { thresholds: { warn: 10, critical: 2 } },
      },
    });

    // Act
    const findings = checkDesiredState({ services: [...fixtureOrganisation.services, inventory] }, settings);

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: 'classic-zod', subject: 'inventory/thresholds' });
    expect(findings[0]?.message).toContain(
      "json() takes a zod/mini schema, not classic zod (import * as z from 'zod')",
    );
    expect(findings[0]?.message).toContain(
      "With import * as z from 'zod/mini' it reads: z.strictObject({ warn: z.number().check(z.gte(0)), critical: z.number() })",
    );
  });

  it('refuses a mini schema that holds one classic field', () => {
    // Prepare
    const inventory = defineService({
      name: 'inventory',
      keys: { sites: json(mini.array(classic.string())) },
      values: { staging: { sites: ['dub'] }, production: { sites: ['dub'] } },
    });

    // Act
    const findings = checkDesiredState({ services: [...fixtureOrganisation.services, inventory] }, settings);

    // Assess
    expect(findings.map((f) => `${f.rule} ${f.subject}`)).toEqual(['classic-zod inventory/sites']);
  });

  it('accepts zod/mini schemas, as every key of the fixture and of config/ uses', () => {
    // Act & Assess
    expect(checkDesiredState(fixtureOrganisation, settings)).toEqual([]);
  });
});
