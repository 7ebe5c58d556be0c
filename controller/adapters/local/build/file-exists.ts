import { stat } from 'node:fs/promises';

/** True when `path` is a regular file (symlinks followed); false for anything missing or not a file. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
