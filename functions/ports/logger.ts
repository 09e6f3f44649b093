/**
 * The structured log a use case writes to when it reports per record (Powertools' Logger fits it).
 * Attributes carry names, ids, versions and error names; a value never reaches it.
 */
export interface StructuredLog {
  info(message: string, attributes: { readonly [key: string]: unknown }): void;
  warn(message: string, attributes: { readonly [key: string]: unknown }): void;
  error(message: string, attributes: { readonly [key: string]: unknown }): void;
}
