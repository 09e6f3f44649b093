import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { codeReferenceDigestSchema } from '../../functions/core/flags/code-reference-digest.ts';
import type { FlagReference } from '../../functions/core/flags/code-references.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { AppConfigTargetParameters } from '../../lib/constructs/appconfig-target-parameters.ts';
import { ConfigDelivery } from '../../lib/constructs/config-delivery.ts';
import { type FlagCodeReferences, NightlyJobs } from '../../lib/constructs/nightly-jobs.ts';
import { loadSettings } from '../../lib/settings.ts';
import { SynthRefusedError, synthesizeStewardApp } from '../../lib/steward-app.ts';

const settings = loadSettings('config/settings.json');
const VARIABLE = 'STEWARD_FLAG_CODE_REFERENCES';

type Variables = Record<string, unknown>;

function flagExpiryVariables(template: Template): Variables {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
    String(f.Properties.Description).startsWith('Nightly: reports expired'),
  );
  return (fn?.Properties.Environment.Variables ?? {}) as Variables;
}

function build(flagCodeReferences?: FlagCodeReferences): Variables {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: settings.parameterRoot,
    parameterTier: settings.parameterTier,
    environments: settings.environments.map((e) => e.name),
  });
  const hostedFlags = new ConfigDelivery(stack, 'Delivery', { settings, registry });
  new NightlyJobs(stack, 'Nightly', {
    settings,
    bus: new events.EventBus(stack, 'Bus', { eventBusName: 'config-steward' }),
    hostedFlags,
    targets: new AppConfigTargetParameters(stack, 'AppConfigTargets', {
      settings,
      appConfig: hostedFlags.targets,
    }),
    flagCodeReferences,
  });
  return flagExpiryVariables(Template.fromStack(stack));
}

/** `count` flags with `each` references apiece. */
function scanned(count: number, each: number): FlagCodeReferences {
  const reference = (flag: string, line: number): FlagReference => ({
    flag,
    file: `services/${flag}/src/handler.ts`,
    line,
    column: 1,
    call: 'isEnabled',
  });
  return {
    sources: ['services'],
    report: {
      referenced: Array.from({ length: count }, (_, i) => {
        const flag = `flag-number-${i}`;
        return {
          service: 'orders',
          flag,
          references: Array.from({ length: each }, (_, line) => reference(flag, line + 1)),
        };
      }),
    },
  };
}

/** Bytes of the variables once deployed: names and values, each CloudFormation reference as a 7-character id. */
function deployedBytes(variables: Variables): number {
  return Object.entries(variables).reduce((sum, [name, value]) => {
    if (typeof value === 'string') return sum + name.length + Buffer.byteLength(value);
    const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    return sum + name.length + parts.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length : 7), 0);
  }, 0);
}

describe('Construct: NightlyJobs with flag code references', () => {
  it('gives the flag-expiry job the digest of the references, as file:line', () => {
    // Act
    const variables = build({
      sources: ['functions/handlers'],
      report: {
        referenced: [
          {
            service: 'orders',
            flag: 'new-checkout',
            references: [
              {
                flag: 'new-checkout',
                file: 'functions/handlers/orders-api.ts',
                line: 35,
                column: 5,
                call: 'isEnabled',
              },
            ],
          },
        ],
      },
    });

    // Assess
    const digest = z.parse(codeReferenceDigestSchema(), JSON.parse(String(variables[VARIABLE])));
    expect(digest).toEqual({
      sources: ['functions/handlers'],
      complete: true,
      flags: { 'new-checkout': { count: 1, at: ['functions/handlers/orders-api.ts:35'] } },
    });
  });

  it("keeps the job's whole environment within Lambda's 4 KB when the code holds thousands of references", () => {
    // Act
    const variables = build(scanned(30, 100));

    // Assess: every flag keeps its count; the locations are cut
    const digest = z.parse(codeReferenceDigestSchema(), JSON.parse(String(variables[VARIABLE])));
    expect(deployedBytes(variables)).toBeLessThanOrEqual(4096 - 200);
    expect(digest.complete).toBe(true);
    expect(Object.values(digest.flags).map((f) => f.count)).toEqual(Array(30).fill(100));
  });

  it('sets no variable when synth scanned nothing', () => {
    // Act
    const variables = build();

    // Assess
    expect(variables).toHaveProperty('STEWARD_APPCONFIG_TARGETS_PATH');
    expect(variables).not.toHaveProperty(VARIABLE);
  });
});

describe('Function: synthesizeStewardApp and flag code references', () => {
  it('scans the sources the settings name and hands the flag-expiry job what it found', async () => {
    // Prepare: the example names functions/handlers, where the orders API reads three flags
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'steward-refs-')), 'cdk.out');

    // Act
    await synthesizeStewardApp({ outdir });

    // Assess
    const template = Template.fromJSON(
      JSON.parse(readFileSync(path.join(outdir, 'ConfigSteward.template.json'), 'utf8')),
    );
    const digest = z.parse(
      codeReferenceDigestSchema(),
      JSON.parse(String(flagExpiryVariables(template)[VARIABLE])),
    );
    expect(digest.sources).toEqual(['functions/handlers']);
    expect(digest.flags['new-checkout']?.at).toContain('functions/handlers/orders-api.ts:35');
    expect(Object.keys(digest.flags).sort()).toEqual([
      'checkout-button-copy',
      'disable-recommendations',
      'new-checkout',
    ]);
  }, 180_000);

  it('refuses a settings source that does not exist, writing nothing', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'steward-refs-'));
    const json = JSON.parse(readFileSync('config/settings.json', 'utf8'));
    json.flags.codeReferences = { sources: ['functions/no-such-dir'] };
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(json));
    const outdir = path.join(dir, 'cdk.out');

    // Act
    const synth = synthesizeStewardApp({ outdir, settingsFile });

    // Assess
    await expect(synth).rejects.toBeInstanceOf(SynthRefusedError);
    await expect(synth).rejects.toThrow(
      /flags\.codeReferences\.sources: not found under .*: functions\/no-such-dir/,
    );
    expect(existsSync(outdir)).toBe(false);
  });
});
