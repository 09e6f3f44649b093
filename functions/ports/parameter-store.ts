/** Parameter Store, as the domain needs it: read with history, write, label, delete, and scan by path. */
import type { ParameterType } from '../core/keys.ts';

export interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: ParameterType;
  readonly version: number;
  readonly lastModifiedDate?: Date;
  readonly lastModifiedUser?: string;
  readonly labels?: readonly string[];
}

/** One entry of a parameter's history (at most 100 are kept by AWS). */
export interface ParameterVersion extends StoredParameter {
  readonly labels: readonly string[];
}

export interface ParameterMetadata {
  readonly name: string;
  readonly type: ParameterType;
  readonly version: number;
  readonly lastModifiedDate?: Date;
  readonly lastModifiedUser?: string;
  readonly tier?: string;
}

export interface ParameterStore {
  /** The current version, decrypted; undefined when the parameter does not exist. */
  get(name: string): Promise<StoredParameter | undefined>;
  /** Every kept version, oldest first, decrypted, with labels. Empty when the parameter does not exist. */
  history(name: string): Promise<ParameterVersion[]>;
  /** Write a value (overwriting) and return the new version. */
  put(name: string, value: string, type: ParameterType): Promise<number>;
  /** Delete; deleting a parameter that is already gone is not an error. */
  delete(name: string): Promise<void>;
  /** Attach labels to a version; a label moves from whichever version held it. */
  label(name: string, version: number, labels: readonly string[]): Promise<void>;
  /** Every parameter under a path, recursively; SecureString values decrypted only when asked. */
  getByPath(path: string, options: { decrypt: boolean }): Promise<StoredParameter[]>;
  /** Metadata of every parameter under a path (no values). */
  describe(path: string): Promise<ParameterMetadata[]>;
}
