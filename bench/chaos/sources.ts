/**
 * The small apps the chaos trials push, each push with its own token in what the app
 * serves, so the bench can tell which release answers: examples/node-hello (its
 * version) and examples/static-site (a comment in index.html), from a folder or from
 * a git repository served by `git http-backend`.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/server-process.ts';
import { makeTempDir } from '../../test/helpers/temp-dir.ts';

/** Which example an app is. */
export type Example = 'node-hello' | 'static-site';

/** A folder holding a copy of an example, rewritten with a new token before each push. */
export interface AppFolder {
  dir: string;
  /** Puts `token` into what the app serves. */
  mark(token: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** The file and the rewrite that put a token into what an example serves. */
export const TOKEN_FILE: Record<Example, string> = { 'node-hello': 'server.js', 'static-site': 'index.html' };

/** The example's marked file content for `token`, from the original. */
export function markedContent(example: Example, original: string, token: string): string {
  return example === 'node-hello'
    ? original.replace("process.env.APP_VERSION || '1.0.0'", `process.env.APP_VERSION || '${token}'`)
    : original.replace('</body>', `<!-- ${token} -->\n</body>`);
}

/** A copy of an example in a temp folder. */
export async function appFolder(example: Example): Promise<AppFolder> {
  const { dir, cleanup } = await makeTempDir(`slipway-chaos-${example}-`);
  await cp(join(REPO_ROOT, 'examples', example), dir, { recursive: true });
  const file = join(dir, TOKEN_FILE[example]);
  const original = await readFile(file, 'utf8');
  return { dir, cleanup, mark: (token) => writeFile(file, markedContent(example, original, token)) };
}
