/**
 * The code references the flag-expiry job lists in its tickets. The job runs in Lambda without the
 * source tree, so synth scans the sources the settings name and hands the job this digest in an
 * environment variable. Lambda allows 4 KB for all of a function's variables together, so the digest
 * has a byte budget: every referenced flag keeps its count, the locations are cut to the first N
 * each, and flags are dropped (marked incomplete) only when even the counts do not fit.
 * Kept apart from code-references.ts so the job's bundle does not carry the TypeScript parser.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.ts';
// Types only: the job's bundle must not load the TypeScript parser code-references.ts imports.
import type { CodeReferenceReport } from './code-references.ts';

/** What the flag-expiry job knows about the code references of the flags. */
export interface CodeReferenceDigest {
  /** The source directories scanned at synth, relative to the project root. */
  readonly sources: readonly string[];
  /**
   * False when referenced flags had to be left out to fit the budget: a flag missing from `flags`
   * then may still be referenced.
   */
  readonly complete: boolean;
  /** Per referenced flag key: how many references, and the first ones as `file:line`. */
  readonly flags: Readonly<Record<string, { readonly count: number; readonly at: readonly string[] }>>;
}

/** The most the digest takes of the job's environment; less when the job's other variables leave less. */
export const DEFAULT_DIGEST_BUDGET_BYTES = 2048;

function buildDigestSchema() {
  return z.object({
    sources: z.array(z.string()),
    complete: z.boolean(),
    flags: z.record(z.string(), z.object({ count: z.number().check(z.int()), at: z.array(z.string()) })),
  });
}
let digestSchema: ReturnType<typeof buildDigestSchema> | undefined;

/**
 * The digest as the job reads it back from its environment (`STEWARD_FLAG_CODE_REFERENCES`). Built
 * on first call: every handler bundles the runtime settings, only the flag-expiry job reads this.
 */
export function codeReferenceDigestSchema() {
  return (digestSchema ??= buildDigestSchema());
}

/** `file:line`, the form tickets, CI logs and editors share. */
export function locationOf(site: { readonly file: string; readonly line: number }): string {
  return `${site.file}:${site.line}`;
}

/**
 * The digest of a scan, as JSON no longer than `budgetBytes` (UTF-8).
 *
 * @example
 * const json = encodeCodeReferenceDigest(report, ['functions/handlers']);
 * new StewardFunction(this, 'FlagExpiry', { environment: { [FLAG_CODE_REFERENCES_ENV]: json } });
 */
export function encodeCodeReferenceDigest(
  report: Pick<CodeReferenceReport, 'referenced'>,
  sources: readonly string[],
  budgetBytes = DEFAULT_DIGEST_BUDGET_BYTES,
): string {
  const locations = new Map<string, string[]>();
  for (const { flag, references } of report.referenced) {
    // Flags of two services may share a key: one entry, each location once.
    const known = locations.get(flag) ?? [];
    locations.set(flag, [...new Set([...known, ...references.map(locationOf)])]);
  }
  const longest = Math.max(0, ...[...locations.values()].map((at) => at.length));
  const encode = (keep: number, flags: readonly string[], complete: boolean) =>
    JSON.stringify({
      sources,
      complete,
      flags: Object.fromEntries(
        flags.map((flag) => {
          const at = locations.get(flag) ?? [];
          return [flag, { count: at.length, at: at.slice(0, keep) }];
        }),
      ),
    } satisfies CodeReferenceDigest);
  const fits = (json: string) => Buffer.byteLength(json, 'utf8') <= budgetBytes;

  const all = [...locations.keys()].sort();
  for (let keep = longest; keep >= 0; keep--) {
    const json = encode(keep, all, true);
    if (fits(json)) return json;
  }
  // Even the counts alone are too many: keep as many flags as fit, and say the list is incomplete.
  for (let kept = all.length - 1; kept >= 0; kept--) {
    const json = encode(0, all.slice(0, kept), false);
    if (fits(json)) return json;
  }
  throw new ConfigurationError(
    `the code-reference digest cannot fit ${budgetBytes} bytes even without flags (sources: ${sources.join(', ')})`,
  );
}

/**
 * The ticket lines about one flag's code references (markdown), or none when no scan was carried.
 *
 * @example
 * body.push(...codeReferenceLines(digest, 'new-checkout'));
 */
export function codeReferenceLines(digest: CodeReferenceDigest | undefined, flag: string): string[] {
  if (digest === undefined) return [];
  const scanned = digest.sources.map((s) => `\`${s}\``).join(', ');
  const entry = Object.hasOwn(digest.flags, flag) ? digest.flags[flag] : undefined;
  if (entry === undefined) {
    return digest.complete
      ? [
          `**Code references**: none found in ${scanned} at the last deploy (string-literal keys only; ` +
            '`steward flags refs` says what the scan cannot see). Removing the flag from `config/` is what is left.',
        ]
      : [
          `**Code references**: not carried for this flag (too many references for the job's environment); ` +
            `run \`steward flags refs\` over ${scanned}.`,
        ];
  }
  const more = entry.count - entry.at.length;
  return [
    `**Code references** (${entry.count} in ${scanned} at the last deploy; remove them before the flag):`,
    ...entry.at.map((location) => `- \`${location}\``),
    ...(more > 0 ? [`- … and ${more} more: run \`steward flags refs\` for the full list`] : []),
  ];
}
