/**
 * The dedup key of the ticket a rejected change files, one per rejected version (or deletion), and
 * its inverse, so the nightly drift run can close the ticket once a later version is live and valid.
 * Parameter names cannot contain ":", so the key splits unambiguously.
 */

/**
 * @example
 * validationDedupKey('/config/production/orders/max-retries', 7); // 'validation:/config/production/orders/max-retries:v7'
 * validationDedupKey('/config/production/orders/max-retries'); // '...:deleted'
 */
export function validationDedupKey(parameterName: string, version?: number): string {
  return `validation:${parameterName}:${version === undefined ? 'deleted' : `v${version}`}`;
}

/**
 * The parameter and rejected version of a validation ticket; undefined for any other key.
 *
 * @example
 * parseValidationDedupKey('validation:/config/staging/orders/port:v3'); // { parameter: '/config/staging/orders/port', version: 3 }
 */
export function parseValidationDedupKey(
  dedupKey: string,
): { parameter: string; version?: number } | undefined {
  const match = /^validation:(\/[^:]+):(?:v(\d+)|deleted)$/.exec(dedupKey);
  if (!match) return undefined;
  return match[2] === undefined
    ? { parameter: match[1]! }
    : { parameter: match[1]!, version: Number(match[2]) };
}
