import { describe, expect, it } from 'vitest';
import { renderPlanGithub, renderPlanText } from '../../functions/cli/commands/plan-render.ts';
import type { ConfigSourceLines } from '../../functions/cli/commands/plan-source-lines.ts';
import type { Plan } from '../../functions/core/plan/plan.ts';

/** A plan whose values and file name hold every character a workflow command gives meaning to. */
const plan: Plan = {
  servicesNotInAppConfig: [],
  changes: 2,
  environments: [
    {
      environment: 'staging',
      writes: [
        {
          action: 'update',
          name: '/config/staging/orders/banner',
          service: 'orders',
          key: 'banner',
          values: 'plain',
          old: { value: '100% off\r\n::error::forged', type: 'String', version: 2 },
          new: { value: '50%25 off, now: today', type: 'String' },
          overwritesConsoleEdit: false,
        },
      ],
      left: [],
      unchangedParameters: 0,
      documents: [
        {
          service: 'orders',
          profile: 'document',
          action: 'update',
          diff: '--- a\n+++ b\n@@ -1 +1 @@\n-  "banner": "100% off"\r\n+  "banner": "50%25 off"',
          added: 1,
          removed: 1,
        },
      ],
      unchangedDocuments: 1,
      deployments: [],
      rolloutMinutes: 0,
    },
  ],
};

/** Every change annotated at one file whose name needs escaping as a property. */
const sources = {
  ofKey: () => ({ file: 'config/services/a,b:c%.ts', line: 7 }),
  ofService: () => ({ file: 'config/services/a,b:c%.ts', line: 2 }),
} as unknown as ConfigSourceLines;

describe('Function: renderPlanGithub', () => {
  it('escapes messages and properties as the workflow-command rules say: one command per line, nothing forged', () => {
    // Act
    const lines = renderPlanGithub(plan, sources);

    // Assess
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      '::notice file=config/services/a%2Cb%3Ac%25.ts,line=7,title=steward plan%3A staging::update ' +
        '/config/staging/orders/banner: "100%25 off\\r\\n::error::forged" → "50%2525 off, now: today"',
    );
    expect(lines[1]).toBe(
      '::notice file=config/services/a%2Cb%3Ac%25.ts,line=2,title=steward plan%3A staging::' +
        'orders document changes: +1 -1 lines against nothing deployed yet%0A--- a%0A+++ b%0A@@ -1 +1 @@%0A' +
        '-  "banner": "100%25 off"%0D%0A+  "banner": "50%2525 off"',
    );
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
  });
});

describe('Function: renderPlanText', () => {
  it('prints a plain value as a JSON string, so a line break in it cannot start a line of its own', () => {
    // Act
    const lines = renderPlanText(plan);

    // Assess
    expect(lines).toContain(
      '  ~ /config/staging/orders/banner: "100% off\\r\\n::error::forged" → "50%25 off, now: today"',
    );
    expect(lines.filter((line) => line.startsWith('::'))).toEqual([]);
  });
});
