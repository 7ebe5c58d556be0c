import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Files of a source tree: path → content (objects are written as JSON). */
export type Tree = Record<string, string | object>;

const made: string[] = [];

/** Writes `tree` into a fresh temporary folder and returns its path; {@link removeTrees} deletes them all. */
export async function writeTree(tree: Tree): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-build-'));
  made.push(dir);
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** Deletes every folder {@link writeTree} made in this test file. */
export async function removeTrees(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}
