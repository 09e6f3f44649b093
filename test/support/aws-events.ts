/**
 * The AWS event samples of `../shared/aws-events/` (beside the checkout, as in CI), falling back to
 * the copies in `test/fixtures/aws-events/` when the shared folder is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SHARED = path.join(ROOT, '..', 'shared', 'aws-events');
export const AWS_EVENTS_DIR = existsSync(SHARED) ? SHARED : path.join(ROOT, 'test', 'fixtures', 'aws-events');

/** A sample by file name, e.g. `awsEvent('ssm-parameter-change-update.json')`. */
export function awsEvent<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(path.join(AWS_EVENTS_DIR, file), 'utf8')) as T;
}
