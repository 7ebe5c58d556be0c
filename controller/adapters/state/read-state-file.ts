/**
 * Reads one JSON state file. A file that does not parse (truncated by a full disk, an
 * editor, a bad restore) must not stop the server nor hide every other app: it is
 * renamed to `<file>.corrupt`, kept for its owner to inspect, and reported as such.
 */
import { readFile, rename } from 'node:fs/promises';
import type { Logger } from '../../../core/ports/logger.ts';

/** What {@link readStateFile} found: a value, nothing (no file), or a file moved aside. */
export type StateRead<T> =
  | { kind: 'found'; value: T }
  | { kind: 'missing' }
  | { kind: 'corrupt'; file: string; movedTo: string; reason: string };

/** The name a corrupt state file is moved to. */
export const corruptName = (file: string) => `${file}.corrupt`;

/**
 * Reads `file` as JSON and checks it with `valid`; a file that fails either is moved to
 * `<file>.corrupt` and logged with both names.
 */
export async function readStateFile<T>(file: string, valid: (value: unknown) => value is T, logger?: Logger): Promise<StateRead<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let reason: string;
  try {
    const value: unknown = JSON.parse(text);
    if (valid(value)) return { kind: 'found', value };
    reason = 'not the expected shape';
  } catch (error) {
    reason = (error as Error).message;
  }
  const movedTo = corruptName(file);
  try {
    await rename(file, movedTo);
  } catch (error) {
    // Another reader moved it first: it is reported the same.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  logger?.error({ file, movedTo, reason }, `the state file ${file} is not valid (${reason}): moved it aside to ${movedTo}; the server goes on without it`);
  return { kind: 'corrupt', file, movedTo, reason };
}
