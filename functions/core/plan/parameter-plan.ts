/**
 * The parameter half of a plan: which desired plain parameters the deploy's reconcile (and `steward
 * apply`) would write in one environment, with the live value each overwrites, who wrote that and
 * when, and whether it is a console edit made since the last deploy. The writes are `planReconcile`'s,
 * so the plan says exactly what the deploy does; values stay raw here and are concealed afterwards.
 */
import type { ParameterMetadata, StoredParameter } from '../../ports/parameter-store.ts';
import { mayShowValues } from '../disclosure.ts';
import type { ParameterType } from '../keys.ts';
import { planReconcile } from '../reconcile.ts';
import type { SchemaRegistry } from '../registry.ts';
import { isConsoleEditSinceDeploy, type LastDeploy } from './last-deploy.ts';

/** The live version a write replaces. */
export interface LiveVersion {
  readonly value: string;
  readonly type: ParameterType;
  readonly version: number;
  readonly lastModifiedUser?: string;
  readonly lastModifiedDate?: Date;
}

/** One write the deploy would make; `values: 'conceal'` until its values are fingerprinted. */
export interface PlannedWrite {
  readonly action: 'create' | 'update';
  readonly name: string;
  readonly service: string;
  readonly key: string;
  /** `plain`: the values may be shown; otherwise both are (to be) keyed fingerprints. */
  readonly values: 'plain' | 'conceal' | 'fingerprint';
  readonly old?: LiveVersion;
  readonly new: { readonly value: string; readonly type: ParameterType };
  /** The live value is a console edit newer than the last deploy, which this write undoes. */
  readonly overwritesConsoleEdit: boolean;
}

/** A live parameter under the root that no service declares: the deploy leaves it (it never deletes). */
export interface LeftParameter {
  readonly name: string;
  readonly lastModifiedUser?: string;
  readonly lastModifiedDate?: Date;
}

export interface ParameterPlan {
  readonly writes: readonly PlannedWrite[];
  readonly left: readonly LeftParameter[];
  readonly unchanged: number;
}

export interface LiveParameters {
  /** GetParametersByPath of the environment; SecureString values need not be decrypted. */
  readonly stored: readonly StoredParameter[];
  /** DescribeParameters of the environment: the writer of each version. */
  readonly metadata: readonly ParameterMetadata[];
  /** Decrypted values of live SecureStrings a write would replace, by name. */
  readonly decrypted?: ReadonlyMap<string, string>;
  /** Parameters an active break-glass override holds: the deploy's reconcile leaves them (core/override.ts). */
  readonly overridden?: ReadonlySet<string>;
}

/**
 * @example
 * const plan = planParameters(registry, 'staging', live, { lastDeploy, isDeployer });
 */
export function planParameters(
  registry: SchemaRegistry,
  environment: string,
  live: LiveParameters,
  options: { readonly lastDeploy?: LastDeploy; readonly isDeployer: (user: string | undefined) => boolean },
): ParameterPlan {
  const desired = registry.desiredParameters(environment);
  const reconcile = planReconcile(desired, live.stored, live.overridden);
  const stored = new Map(live.stored.map((p) => [p.name, p]));
  const metadata = new Map(live.metadata.map((m) => [m.name, m]));

  const writes = reconcile.writes.map((write): PlannedWrite => {
    const current = stored.get(write.name);
    const about = metadata.get(write.name);
    const old: LiveVersion | undefined = current && {
      value: current.type === 'SecureString' ? (live.decrypted?.get(write.name) ?? '') : current.value,
      type: current.type,
      version: current.version,
      ...writer(about ?? current),
    };
    const showable = mayShowValues({
      key: write.key,
      sensitive: registry.service(write.service)?.keys[write.key]?.sensitive,
      values: [
        ...(old ? [{ type: old.type, value: old.value }] : []),
        { type: 'String', value: write.value },
      ],
    });
    return {
      action: old ? 'update' : 'create',
      name: write.name,
      service: write.service,
      key: write.key,
      values: showable ? 'plain' : 'conceal',
      ...(old ? { old } : {}),
      new: { value: write.value, type: write.parameterType },
      overwritesConsoleEdit:
        old !== undefined && isConsoleEditSinceDeploy(old, options.lastDeploy, options.isDeployer),
    };
  });

  const left = live.stored
    .filter((p) => !registry.resolve(p.name).ok)
    .map((p): LeftParameter => ({ name: p.name, ...writer(metadata.get(p.name) ?? p) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { writes, left, unchanged: reconcile.unchanged };
}

function writer(source: {
  lastModifiedUser?: string;
  lastModifiedDate?: Date;
}): Pick<LiveVersion, 'lastModifiedUser' | 'lastModifiedDate'> {
  return {
    ...(source.lastModifiedUser ? { lastModifiedUser: source.lastModifiedUser } : {}),
    ...(source.lastModifiedDate ? { lastModifiedDate: source.lastModifiedDate } : {}),
  };
}
