/**
 * A small organisation and settings of the tests' own, for tests whose point is a rule rather than
 * the example in config/: an adopter editing config/ cannot turn these red.
 */
import * as z from 'zod/mini';
import { boolean, integer, json, url } from '../../functions/core/keys.ts';
import { defineService, type Organisation } from '../../functions/core/model.ts';
import { parseSettings, type Settings } from '../../functions/core/settings.ts';

/** Two environments, both enforcing, no alarms: the least the settings schema accepts. */
export function fixtureSettings(): Settings {
  const strategy = { deploymentDurationInMinutes: 0, finalBakeTimeInMinutes: 0, growthFactor: 100 };
  return parseSettings(
    {
      environments: [
        { name: 'staging', enforcement: 'enforce', deploymentStrategy: strategy },
        { name: 'production', enforcement: 'enforce', deploymentStrategy: strategy },
      ],
    },
    'fixture settings',
  );
}

export const fixtureShared = defineService({
  name: 'shared',
  keys: { 'tracing-enabled': boolean({ default: true }) },
  values: {},
});

export const fixtureCatalog = defineService({
  name: 'catalog',
  keys: {
    'page-size': integer({ min: 1, max: 100 }, { default: 20 }),
    'images-url': url(),
    facets: json(z.array(z.string())),
  },
  values: {
    staging: { 'images-url': 'https://images.staging.example.com', facets: ['brand'] },
    production: { 'images-url': 'https://images.example.com', facets: ['brand'] },
  },
  expectedOverrides: { 'images-url': 'each environment serves its own image bucket' },
});

export const fixtureSearch = defineService({
  name: 'search',
  keys: { 'max-results': integer({ min: 1, max: 500 }, { default: 50 }) },
  values: { staging: { 'max-results': 50 }, production: { 'max-results': 50 } },
});

/** shared + catalog + search: three services and the shared layer, nothing from config/. */
export const fixtureOrganisation: Organisation = { services: [fixtureShared, fixtureCatalog, fixtureSearch] };
