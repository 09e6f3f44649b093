/**
 * Why a configuration document failed its schema, in words that name keys and kinds of problem and
 * never values. Loaded only when a document fails (a lazy chunk), so a healthy consumer's cold start
 * does not read it.
 */
import type * as z from 'zod/v4/core';
import { InvalidConfigDocumentError } from './errors.js';

/**
 * The error for a document that failed its schema: each offending key with zod's issue code (or the
 * expected type), not zod's messages, which can quote what they were given.
 *
 * @example
 * throw invalidDocumentError(parsed.error.issues, 'orders', 'document');
 */
export function invalidDocumentError(
  issues: readonly z.$ZodIssue[],
  service: string,
  profile: string,
): InvalidConfigDocumentError {
  const keys: string[] = [];
  const problems: string[] = [];
  for (const issue of issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const unknownKey of issue.keys) {
        const key = at ? `${at}.${unknownKey}` : unknownKey;
        keys.push(key);
        problems.push(`${key} (unknown key)`);
      }
      continue;
    }
    const key = at || '(document)';
    keys.push(key);
    problems.push(
      issue.code === 'invalid_type' ? `${key} (expected ${issue.expected})` : `${key} (${issue.code})`,
    );
  }
  return new InvalidConfigDocumentError(
    `the ${service} configuration (${profile}) is invalid: ${problems.join(', ')}`,
    [...new Set(keys)],
  );
}
