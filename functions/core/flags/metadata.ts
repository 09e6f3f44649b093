/**
 * Flag metadata rules that `steward check` enforces: an owner, a type, a creation date, and an
 * `expires` date (YYYY-MM-DD, UTC calendar day) for every type except kill switches and permissions.
 */
import { FLAG_TYPES_THAT_EXPIRE, type FlagDefinition } from '../model.ts';
import { appConfigProblems } from './appconfig-format.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar day written as YYYY-MM-DD. */
export function isCalendarDay(value: string): boolean {
  if (!DAY.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/**
 * Problems with one flag definition, as messages; empty when it is sound. With its key, also what
 * keeps it out of AppConfig's feature-flag format (key pattern, 1024-character strings).
 *
 * @example
 * checkFlagDefinition(orders.flags['new-checkout'], ['staging', 'production'], 'new-checkout'); // []
 */
export function checkFlagDefinition(
  flag: FlagDefinition,
  environments: readonly string[],
  key?: string,
): string[] {
  const problems: string[] = key === undefined ? [] : appConfigProblems(key, flag);
  if (!flag.owner?.trim()) problems.push('has no owner');
  if (!flag.type) problems.push('has no type');
  if (!isCalendarDay(flag.created ?? '')) problems.push('created must be a YYYY-MM-DD day');
  if (FLAG_TYPES_THAT_EXPIRE.includes(flag.type)) {
    if (flag.expires === undefined) problems.push(`a ${flag.type} flag needs an expires date`);
    else if (!isCalendarDay(flag.expires)) problems.push('expires must be a YYYY-MM-DD day');
    else if (isCalendarDay(flag.created ?? '') && flag.expires < flag.created)
      problems.push('expires is before created');
  }
  const valueKind = flag.valueKind ?? 'boolean';
  // `steward kill` flips a switch on or off for everyone; a switch serving values could not be flipped.
  if (flag.type === 'kill-switch' && valueKind !== 'boolean') {
    problems.push(`a kill switch is on or off: valueKind must be boolean, not ${valueKind}`);
  }
  for (const [environment, value] of Object.entries(flag.environments)) {
    if (!environments.includes(environment)) problems.push(`values for unknown environment "${environment}"`);
    const pct = value.rolloutPercent;
    if (pct !== undefined && !(pct >= 0 && pct <= 100))
      problems.push(`${environment}: rolloutPercent must be 0-100`);
    if (value.value !== undefined && valueKind !== 'boolean' && kindOf(value.value) !== valueKind) {
      problems.push(`${environment}: value must be a ${valueKind}`);
    }
  }
  if (valueKind !== 'boolean' && flag.defaultValue !== undefined && kindOf(flag.defaultValue) !== valueKind) {
    problems.push(`defaultValue must be a ${valueKind}`);
  }
  return problems;
}

function kindOf(value: unknown): string {
  return typeof value === 'object' && value !== null ? 'object' : typeof value;
}
