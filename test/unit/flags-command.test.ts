import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AppConfigClient,
  GetHostedConfigurationVersionCommand,
  type GetHostedConfigurationVersionCommandOutput,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../functions/cli/io.ts';
import { main } from '../../functions/cli/main.ts';
import { organisation } from '../../config/index.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import { utcDay } from '../../functions/core/flags/policy.ts';

/** The command's own flags (the example's as they were), so editing config/ cannot break these tests. */
const FIXTURE = 'test/fixtures/flag-organisation';

/** A config directory with one service whose only flag expires on the given day. */
function configWithFlag(expires: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'flags-'));
  copyFileSync('config/settings.json', path.join(dir, 'settings.json'));
  const model = pathToFileURL(path.resolve('functions/core/model.ts')).href;
  writeFileSync(
    path.join(dir, 'index.ts'),
    `import { defineService } from '${model}';
export const organisation = { services: [defineService({ name: 'search', keys: {}, values: {}, flags: {
  'fast-index': { description: 'x', owner: 'team-search', type: 'release', created: '2026-11-20', expires: '${expires}', environments: {} },
} })] };
`,
  );
  return dir;
}

function capture(): CommandIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), env: {} };
}

describe('Command: steward flags', () => {
  it('reads config/ by default: one row per flag of the example organisation', async () => {
    // Prepare
    const io = capture();
    const expected = organisation.services.flatMap((service) =>
      Object.keys(service.flags ?? {}).map((flag) => `${service.name} ${flag}`),
    );

    // Act
    await main(['flags', '--today', '2026-11-23'], io);

    // Assess
    const rows = io.lines.slice(1, -1).map((line) => line.split(/\s+/).slice(0, 2).join(' '));
    expect(rows).toEqual(expected);
    expect(io.lines.at(-1)).toMatch(new RegExp(`^steward flags: ${expected.length} flags?, `));
  });

  it('needs no cleanup in the example organisation on any day before its first flag expires', async () => {
    // Prepare: the day before the earliest expires of config/, and the latest created
    const flags = organisation.services.flatMap((service) => Object.values(service.flags ?? {}));
    const expiries = flags.flatMap((flag) => (flag.expires === undefined ? [] : [flag.expires])).sort();
    const lastCreated = flags
      .map((flag) => flag.created)
      .sort()
      .at(-1)!;
    const dayBeforeFirstExpiry = utcDay(new Date(Date.parse(`${expiries[0]}T00:00:00Z`) - 86_400_000));
    const days = [lastCreated, dayBeforeFirstExpiry];

    // Act
    const codes = await Promise.all(days.map((today) => main(['flags', '--today', today], capture())));

    // Assess: findings only grow as the day moves on, so the last clean day stands for the earlier
    // ones; a flag `steward check` accepted leaves the clean state only by expiring
    expect(lastCreated <= dayBeforeFirstExpiry).toBe(true);
    expect(codes).toEqual([0, 0]);
  });

  it('lists every flag with its age and status, exit 0 when none needs cleanup', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['flags', '--config', FIXTURE, '--today', '2026-11-23'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines[0]).toMatch(/^service\s+flag\s+type\s+owner\s+created\s+expires\s+age\s+status$/);
    expect(io.lines.find((l) => l.includes('new-checkout'))).toMatch(
      /orders\s+new-checkout\s+release\s+team-orders\s+2026-11-02\s+2027-01-31\s+21d\s+ok/,
    );
    expect(io.lines.find((l) => l.includes('disable-recommendations'))).toMatch(
      /kill-switch.*\s-\s+175d\s+ok/,
    );
    expect(io.lines.at(-1)).toBe('steward flags: 5 flags, 0 need cleanup (as of 2026-11-23, UTC)');
  });

  it('shows expiring-soon warnings next to the findings that fail the run', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['flags', '--config', FIXTURE, '--today', '2026-12-10'], io);

    // Assess
    expect(code).toBe(1);
    expect(io.lines.find((l) => l.includes('checkout-button-copy'))).toContain(
      'expiring-soon: expires in 10 days (2026-12-20)',
    );
    expect(io.lines.find((l) => l.includes('max-installments'))).toContain(
      'over-lifetime: 22 days old, over the 7-day lifetime of a operational flag',
    );
  });

  it('exits 0 when the only finding is a flag expiring soon', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['flags', '--config', configWithFlag('2026-11-30'), '--today', '2026-11-23'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines[1]).toContain('expiring-soon: expires in 7 days (2026-11-30)');
    expect(io.lines.at(-1)).toBe('steward flags: 1 flag, 0 need cleanup (as of 2026-11-23, UTC)');
  });

  it('lists only expired flags with --expired and fails when there are any', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['flags', '--config', FIXTURE, '--expired', '--today', '2026-12-20'], io);

    // Assess
    expect(code).toBe(1);
    const rows = io.lines.slice(1, -1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('checkout-button-copy');
    expect(rows[0]).toContain('expired: expires today (2026-12-20)');
  });

  it('says so when nothing is expired', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['flags', '--config', FIXTURE, '--expired', '--today', '2026-11-23'], io);

    // Assess
    expect(code).toBe(0);
    expect(io.lines).toEqual(['steward flags: no expired flags (as of 2026-11-23, UTC)']);
  });

  it('prints JSON with --json', async () => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(['flags', '--config', FIXTURE, '--json', '--today', '2027-02-01'], io);

    // Assess
    const output = JSON.parse(io.lines.join('\n'));
    expect(code).toBe(1);
    expect(output.today).toBe('2027-02-01');
    expect(output.warnWithinDays).toBe(14);
    expect(output.flags).toHaveLength(5);
    expect(output.flags.find((f: { flag: string }) => f.flag === 'new-checkout')).toMatchObject({
      service: 'orders',
      ageDays: 91,
      daysToExpiry: -1,
      findings: [
        { reason: 'expired', message: 'expired 1 days ago (2027-01-31)' },
        { reason: 'over-lifetime', message: '91 days old, over the 40-day lifetime of a release flag' },
      ],
    });
  });

  it.each([
    [['flags', '--today', '2026-02-30'], '--today must be a YYYY-MM-DD day'],
    [['flags', '--stale'], "Unknown option '--stale'"],
    [['flags', '--config', '/nonexistent'], 'config directory not found'],
  ])('exits 2 on a usage error (%j)', async (argv, message) => {
    // Prepare
    const io = capture();

    // Act
    const code = await main(argv, io);

    // Assess
    expect(code).toBe(2);
    expect(io.errors.join('\n')).toContain(message);
  });

  it('reads the newest hosted flags from AppConfig with --live, finding the profiles by name', async () => {
    // Prepare
    const appconfig = mockClient(AppConfigClient);
    appconfig.on(ListApplicationsCommand).resolves({ Items: [{ Name: 'orders', Id: 'app0rd1' }] });
    appconfig.on(ListConfigurationProfilesCommand).resolves({ Items: [{ Name: 'flags', Id: 'fl0rd1' }] });
    // No deployment listed in its environment: the newest hosted version is read.
    appconfig.on(ListEnvironmentsCommand).resolves({ Items: [{ Name: 'production', Id: 'envprd1' }] });
    appconfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [{ VersionNumber: 3 }] });
    const hosted = toAppConfigFlags(
      {
        'console-edit': {
          description: 'added in the console',
          owner: '',
          type: 'release',
          created: '2026-09-01',
          expires: '2026-10-01',
          environments: {},
        },
      },
      'production',
    );
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({
      Content: new TextEncoder().encode(
        JSON.stringify(hosted),
      ) as unknown as GetHostedConfigurationVersionCommandOutput['Content'],
    });
    const io = capture();

    // Act
    const code = await main(['flags', '--config', FIXTURE, '--live', '--today', '2026-11-23'], io);
    appconfig.restore();

    // Assess
    expect(code).toBe(1);
    expect(io.errors).toEqual(['steward flags: no AppConfig flags profile found for payments']);
    expect(io.lines[1]).toMatch(/^orders\s+console-edit\s+release\s+\(none\)/);
    expect(io.lines[1]).toContain('expired: expired 53 days ago (2026-10-01)');
    expect(io.lines[1]).toContain('no-owner: has no owner');
  });

  it('exits 4, not 1, with the cause when AppConfig refuses --live', async () => {
    // Prepare
    const appconfig = mockClient(AppConfigClient);
    appconfig.on(ListApplicationsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: appconfig:ListApplications'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const io = capture();

    // Act
    const code = await main(['flags', '--live', '--today', '2026-11-23'], io);
    appconfig.restore();

    // Assess
    expect(code).toBe(4);
    expect(io.errors.join('\n')).toContain(
      'cause: AccessDeniedException: User is not authorized to perform: appconfig:ListApplications (HTTP 403)',
    );
  });
});
