/**
 * The embedded mode's deploy keys: one JSON file (default `<data>/git-keys.json`), mode
 * 0600, written atomically. A file found with a wider mode (a restore, a copy) is put back
 * to 0600 at start and the fix is logged. A file that does not parse is moved aside
 * (`.corrupt`, kept for its owner) and the store starts empty — logged without the parser's
 * message, which quotes the file's text and so could quote a private key.
 */
import { chmod, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GitKeyStore } from '../../../core/ports/git-keys.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import { storageError } from '../../../core/error-cases.ts';
import { writeFileAtomic } from '../state/atomic-write.ts';
import { createKeyLock } from '../state/key-lock.ts';
import { createGitKeyStore, emptyDocument, isGitKeyDocument, type GitKeyDocument } from './create-git-key-store.ts';

/** Options of {@link createFileGitKeyStore}. */
export interface FileGitKeyStoreOptions {
  path: string;
  logger?: Logger;
  clock?: Clock;
}

/** Creates the file-backed {@link GitKeyStore}, first narrowing the file's mode to 0600 when it is wider. */
export async function createFileGitKeyStore({ path, logger, clock }: FileGitKeyStoreOptions): Promise<GitKeyStore> {
  await ensurePrivateMode(path, logger);
  const withLock = createKeyLock();

  const read = async (): Promise<GitKeyDocument> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
      throw error;
    }
    try {
      const value: unknown = JSON.parse(text);
      if (isGitKeyDocument(value)) return value;
    } catch {
      // Reported below, without the parser's message (it quotes the text).
    }
    const movedTo = `${path}.corrupt`;
    await rename(path, movedTo).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    logger?.error({ file: path, movedTo }, `the deploy key file ${path} is not valid JSON of the expected shape: moved it aside to ${movedTo}; the server goes on without deploy keys`);
    return emptyDocument();
  };

  const save = async (doc: GitKeyDocument) => {
    try {
      await writeFileAtomic(path, JSON.stringify(doc, null, 2), 0o600);
    } catch (error) {
      throw storageError(error, dirname(path)) ?? error;
    }
  };

  return createGitKeyStore({
    read,
    update: (change) => withLock('file', async () => {
      const doc = await read();
      const result = change(doc);
      await save(doc);
      return result;
    }),
  }, clock);
}

/** Narrows an existing file's mode to 0600 (owner read and write only). */
async function ensurePrivateMode(path: string, logger?: Logger): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & 0o077) === 0) return;
  await chmod(path, 0o600);
  logger?.warn({ file: path, was: mode.toString(8) }, `${path} was readable by others (mode ${mode.toString(8)}): set it to 600; it holds private deploy keys`);
}
