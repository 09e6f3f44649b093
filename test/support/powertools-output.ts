/** What a real Powertools Logger writes, for tests of the log lines themselves. */
import { vi } from 'vitest';

/**
 * The JSON lines written to stdout and stderr while `act` runs. The suite silences Powertools, so the
 * Logger under test is given its level (`new Logger({ logLevel: 'INFO' })`).
 *
 * @example
 * const lines = await powertoolsLines(() => logger.info('delivery', { service: 'orders' }));
 */
export async function powertoolsLines(act: () => unknown): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
