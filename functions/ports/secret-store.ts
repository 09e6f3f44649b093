/**
 * Secrets Manager, as secret rotation needs it: a secret's versions and their staging labels, the value
 * of one version, a new AWSPENDING version, and moving a label between versions.
 */

/** The version clients read. Moving it to another version makes the old one AWSPREVIOUS. */
export const AWSCURRENT = 'AWSCURRENT';
/** The version a rotation is preparing. */
export const AWSPENDING = 'AWSPENDING';
/** The version that was AWSCURRENT before the last move: the last known good. */
export const AWSPREVIOUS = 'AWSPREVIOUS';

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  /** Every version that carries at least one staging label, with its labels. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
}

export interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  readonly stages: readonly string[];
  /** When the version was stored. */
  readonly createdDate?: Date;
}

/** A version by id (optionally checked to carry a stage), or whichever version carries a stage. */
export type VersionSelector =
  | { readonly versionId: string; readonly stage?: string }
  | { readonly versionId?: undefined; readonly stage: string };

export interface SecretStore {
  /** The secret's rotation state and versions; throws SecretNotFoundError. */
  describe(secretId: string): Promise<SecretDescription>;
  /**
   * The value of one version; throws SecretNotFoundError when the secret, the version or its value
   * does not exist (a rotation's AWSPENDING version id exists before it holds a value).
   */
  getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion>;
  /**
   * Store `value` as version `versionId` labelled AWSPENDING (the label leaves whichever version held
   * it). Storing the same value under the same version id again is a no-op; a different value throws
   * SecretVersionConflictError, since a version is immutable.
   */
  putPendingValue(secretId: string, versionId: string, value: string, rotationToken?: string): Promise<void>;
  /**
   * Move a staging label: attach it to `to` (it must then be removed `from` the version that holds it),
   * or only remove it `from` a version. Moving AWSCURRENT makes its old holder AWSPREVIOUS.
   */
  moveStage(
    secretId: string,
    stage: string,
    move: { readonly to?: string; readonly from?: string },
  ): Promise<void>;
}
