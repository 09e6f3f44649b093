/**
 * A lazy load shared by every caller: the first call starts it, later calls get the same promise, and
 * a failure is forgotten so the next call tries again (a failed import or secret read is not cached for
 * the life of a warm instance). `reset()` forgets a success too, e.g. a token the tracker rejected.
 */
export interface OnceUntilFailure<T> {
  (): Promise<T>;
  reset(): void;
}

/**
 * @example
 * const tracker = onceUntilFailure(async () => new (await import('./github.ts')).GitHubTicketTracker(options));
 * await (await tracker()).file(request);
 */
export function onceUntilFailure<T>(load: () => Promise<T>): OnceUntilFailure<T> {
  let loaded: Promise<T> | undefined;
  const get = () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  return Object.assign(get, {
    reset: () => {
      loaded = undefined;
    },
  });
}
