/** The config directory as it was at another git revision, for `steward check --against <rev>`. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../core/errors.ts';
import { type DesiredState, loadDesiredState } from './desired-state.ts';
import { UsageError } from './errors.ts';

/** Archives of a whole config/ stay far below this; the bound only stops a runaway read. */
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

/**
 * Load `configDir` as it is at `revision`: its files are extracted with `git archive` into a temporary
 * directory beside `configDir` (so the config's relative imports, `../functions/core/…`, and its
 * packages resolve as they do in the working tree), loaded with the loader `steward check` uses, and
 * removed again. Nothing in the working tree or the repository changes.
 *
 * @example
 * const deployed = await loadDesiredStateAt('config', 'origin/main');
 */
export async function loadDesiredStateAt(configDir: string, revision: string): Promise<DesiredState> {
  const commit = resolveRevision(configDir, revision);
  const prefix = gitOutput(configDir, ['rev-parse', '--show-prefix']);
  // Run from the top level: from a subdirectory, `git archive` would look for that subdirectory again
  // inside the tree it is given.
  const topLevel = gitOutput(configDir, ['rev-parse', '--show-toplevel']);
  const archive = git(topLevel, ['archive', '--format=tar', `${commit}:${prefix}`]);
  if (archive.status !== 0) {
    throw new ConfigurationError(`${revision}: has no ${prefix || './'} directory (${gitMessage(archive)})`);
  }
  const extracted = temporaryDirectoryBeside(configDir);
  try {
    const tar = spawnSync('tar', ['-x', '-C', extracted], { input: archive.stdout, encoding: 'buffer' });
    if (tar.status !== 0) {
      throw new ConfigurationError(`${revision}: cannot extract its config: ${tar.stderr.toString().trim()}`);
    }
    try {
      return await loadDesiredState(extracted);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      // The temporary path means nothing to the reader; the revision does.
      throw new ConfigurationError(
        `${revision}: its config does not load: ${error.message.replaceAll(extracted, `${revision}:${prefix.replace(/\/$/, '')}`)}`,
        { cause: error },
      );
    }
  } finally {
    rmSync(extracted, { recursive: true, force: true });
  }
}

function temporaryDirectoryBeside(configDir: string): string {
  try {
    return mkdtempSync(path.join(path.dirname(configDir), '.steward-against-'));
  } catch (error) {
    throw new UsageError(
      `--against extracts the revision's config beside ${configDir}, which failed: ${(error as Error).message}`,
    );
  }
}

/** The commit a revision names; an unknown revision (or no repository) is a usage error. */
function resolveRevision(configDir: string, revision: string): string {
  if (revision.startsWith('-')) throw new UsageError(`--against: not a revision: ${revision}`);
  const parsed = git(configDir, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${revision}^{commit}`,
  ]);
  if (parsed.status !== 0) {
    const why = gitMessage(parsed);
    throw new UsageError(
      `--against ${revision}: unknown revision${why ? ` (${why})` : ''}; in CI, fetch it first (actions/checkout with fetch-depth: 0)`,
    );
  }
  return parsed.stdout.toString().trim();
}

function gitOutput(cwd: string, args: string[]): string {
  const result = git(cwd, args);
  if (result.status !== 0) throw new UsageError(`--against: git ${args.join(' ')}: ${gitMessage(result)}`);
  return result.stdout.toString().trim();
}

function git(cwd: string, args: string[]) {
  const result = spawnSync('git', args, { cwd, encoding: 'buffer', maxBuffer: MAX_ARCHIVE_BYTES });
  if (result.error) {
    throw new UsageError(`--against needs git: ${result.error.message}`);
  }
  return result;
}

function gitMessage(result: { stderr: Buffer }): string {
  return result.stderr.toString().trim().split('\n')[0] ?? '';
}
