/**
 * Local mode: documents read from JSON files in the shapes the extension serves, for a service's
 * own tests and local runs. Loaded only when a document source has a local file (a lazy import).
 */
import { readFile } from 'node:fs/promises';
import { ExtensionUnavailableError, InvalidConfigDocumentError } from './errors.js';

/**
 * Read and JSON-parse one document from a file; `only` narrows a flags document to those flags. A missing or unreadable file is an
 * {@link ExtensionUnavailableError} (`not-found` / `unavailable`), as the extension's 404 would be;
 * neither message carries the content.
 *
 * @example
 * const raw = await readFromFile('test/fixtures/orders.json');
 * const someFlags = await readFromFile('test/fixtures/flags.json', ['new-checkout']);
 */
export async function readFromFile(file: string, only?: readonly string[]): Promise<unknown> {
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new ExtensionUnavailableError(
      `the local document ${file} ${missing ? 'does not exist' : 'cannot be read'}`,
      missing ? 'not-found' : 'unavailable',
      undefined,
      { cause: error },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body) as unknown;
  } catch {
    throw new InvalidConfigDocumentError(`the local document ${file} is not JSON`, []);
  }
  return onlyFlags(raw, only);
}

/** Local mode's `?flag=`: a flags document narrowed to the flags asked for, as the extension does. */
function onlyFlags(raw: unknown, only: readonly string[] | undefined): unknown {
  if (
    only === undefined ||
    only.length === 0 ||
    raw === null ||
    typeof raw !== 'object' ||
    Array.isArray(raw)
  )
    return raw;
  return Object.fromEntries(Object.entries(raw).filter(([flag]) => only.includes(flag)));
}
