/**
 * Rolls the example organisation's dated flags forward: every flag whose type has a lifetime
 * (release, experiment, operational) is re-created today and expires as many days later as it did
 * before, at most its type's lifetime. Kill switches and permission flags have no dates to roll.
 *
 * The example keeps fixed calendar days in config/ on purpose: config/ is bundled into the drift
 * Lambda, which rebuilds the flags documents from it every night and compares them with what
 * AppConfig serves (core/drift/flag-drift.ts); days computed from the clock would differ from the
 * deployed ones the day after every deploy, and every synth would differ from the last. So the
 * example ages like a real organisation's flags, `test/integration/example-flags-today.test.ts`
 * fails CI the day one of them expires or outlives its type, and this script is the one-command fix:
 *
 *   npm run example:renew-flags                 # today's UTC day
 *   npm run example:renew-flags -- --today 2027-01-09 --config config
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDesiredState } from '../functions/cli/desired-state.ts';
import { isCalendarDay } from '../functions/core/flags/metadata.ts';
import { daysBetween, FLAG_LIFETIME_DAYS, utcDay } from '../functions/core/flags/policy.ts';
import type { FlagType } from '../functions/core/model.ts';

const DAY_MS = 86_400_000;

export interface DatedFlag {
  readonly key: string;
  readonly type: FlagType;
  readonly created: string;
  readonly expires?: string;
}

/**
 * The days a flag is given when renewed on `today`; undefined for a flag without a lifetime or an
 * `expires` (nothing to roll).
 *
 * @example
 * renewedDates({ key: 'new-checkout', type: 'release', created: '2026-11-02', expires: '2026-12-12' }, '2026-11-30');
 * // { created: '2026-11-30', expires: '2027-01-09' }
 */
export function renewedDates(
  flag: DatedFlag,
  today: string,
): { created: string; expires: string } | undefined {
  const lifetime = FLAG_LIFETIME_DAYS[flag.type];
  if (lifetime === undefined || flag.expires === undefined) return undefined;
  if (!isCalendarDay(flag.created) || !isCalendarDay(flag.expires)) return undefined;
  const span = Math.max(1, Math.min(daysBetween(flag.created, flag.expires), lifetime));
  return { created: today, expires: utcDay(new Date(Date.parse(`${today}T00:00:00Z`) + span * DAY_MS)) };
}

/**
 * The source text with one flag's `created` and `expires` days replaced: the first of each after the
 * flag's key, so flags sharing a day are told apart. Throws when the key or a day is not found.
 *
 * @example
 * renewInSource(text, { key: 'new-checkout', type: 'release', created: '2026-11-02', expires: '2026-12-12' },
 *   { created: '2026-11-30', expires: '2027-01-09' });
 */
export function renewInSource(
  text: string,
  flag: DatedFlag,
  renewed: { created: string; expires: string },
): string {
  const keyAt = new RegExp(`(['"]?)${flag.key.replace(/[-]/g, '\\-')}\\1\\s*:\\s*\\{`).exec(text)?.index;
  if (keyAt === undefined) throw new Error(`flag "${flag.key}" not found`);
  let result = text;
  for (const [field, from, to] of [
    ['created', flag.created, renewed.created],
    ['expires', flag.expires ?? '', renewed.expires],
  ] as const) {
    const pattern = new RegExp(`${field}:\\s*(['"])${from}\\1`);
    const found = pattern.exec(result.slice(keyAt));
    if (!found) throw new Error(`flag "${flag.key}": ${field} '${from}' not found after its key`);
    const at = keyAt + found.index;
    result = result.slice(0, at) + found[0].replace(from, to) + result.slice(at + found[0].length);
  }
  return result;
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return typeScriptFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { today: { type: 'string' }, config: { type: 'string' } } });
  const today = values.today ?? utcDay(new Date());
  if (!isCalendarDay(today)) throw new Error(`--today must be a YYYY-MM-DD day, not "${today}"`);
  const configDir = path.resolve(values.config ?? 'config');
  const { organisation } = await loadDesiredState(configDir);
  const files = new Map(typeScriptFiles(configDir).map((file) => [file, readFileSync(file, 'utf8')]));
  for (const service of organisation.services) {
    for (const [key, definition] of Object.entries(service.flags ?? {})) {
      const flag: DatedFlag = { key, ...definition };
      const renewed = renewedDates(flag, today);
      if (renewed === undefined) continue;
      const file = [...files].find(([, text]) => text.includes(`'${key}'`) || text.includes(`${key}:`))?.[0];
      if (file === undefined)
        throw new Error(`${service.name}:${key}: no file under ${configDir} declares it`);
      files.set(file, renewInSource(files.get(file) as string, flag, renewed));
      console.log(`${service.name}:${key}: created ${renewed.created}, expires ${renewed.expires}`);
    }
  }
  for (const [file, text] of files) {
    if (text !== readFileSync(file, 'utf8')) writeFileSync(file, text);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
