/**
 * The path the README gives, through the pinned CDK CLI: `cdk synth` (what `npm run synth` runs)
 * and `cdk ls`, offline and without credentials. `.ci/run` adds `npm run synth` and `cdk diff`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder, PROJECT_ROOT, run } from '../support/project-copy.ts';

const outdir = mkdtempSync(path.join(tmpdir(), 'steward-cdk-out-'));
/** The environment of a machine with no AWS profile: the CLI must neither wait for nor need one. */
const NO_AWS = { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('CDK CLI: cdk synth and cdk ls', () => {
  it('cdk synth bundles, checks and synthesizes: the template on stdout, the summary on stderr', () => {
    // Act
    const result = run(PROJECT_ROOT, 'npx', ['cdk', 'synth', '--output', outdir], NO_AWS);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Description: ["']?Config Steward/);
    expect(result.stdout).not.toContain('Synthesized');
    expect(result.stderr).toMatch(/Synthesized .*ConfigSteward\.template\.json: \d+ resources/);
    expect(result.stderr).toContain(
      'steward check: no findings; cdk-nag AwsSolutions + Serverless + Steward wildcard grants: 0 unacknowledged findings',
    );
    const template = JSON.parse(readFileSync(path.join(outdir, 'ConfigSteward.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(functions.length).toBeGreaterThan(0);
    // The first rotation finds its database: every PostgreSQL secret is generated with its host.
    const postgresTemplates = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    )
      .filter((r) => r.Type === 'AWS::SecretsManager::Secret')
      .map((r) => r.Properties.GenerateSecretString as { SecretStringTemplate?: string } | undefined)
      .flatMap((g) => (g?.SecretStringTemplate ? [JSON.parse(g.SecretStringTemplate)] : []))
      .filter((fields) => fields.engine === 'postgres' || 'dbname' in fields);
    expect(postgresTemplates.length).toBeGreaterThan(0);
    for (const fields of postgresTemplates) expect(fields.host, JSON.stringify(fields)).toMatch(/\S/);
    const files = filesUnder(outdir);
    expect(files.filter((f) => /^asset\.[0-9a-f]+\/index\.mjs$/.test(f)).length).toBeGreaterThan(0);
    expect(files.some((f) => f.startsWith('.staging-'))).toBe(false);
  }, 240_000);

  it('cdk ls lists the stack without bundling', () => {
    // Act
    const result = run(PROJECT_ROOT, 'npx', ['cdk', 'ls', '--output', outdir], NO_AWS);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('ConfigSteward');
    expect(result.stderr).not.toContain('Bundling asset');
  }, 120_000);
});
