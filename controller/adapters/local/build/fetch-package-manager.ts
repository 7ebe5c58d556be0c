/**
 * Fetches a yarn or pnpm version from the npm registry into the server's build cache,
 * once per version, as Heroku's Node.js buildpack installs the version a project
 * declares. It goes through the build's own npm, so the machine's registry, proxy and
 * CA settings apply; corepack is not used (it downloads from its own URLs on first use).
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManagerVersion } from './manager-version.ts';
import type { StepContext } from './node-build.ts';
import { runBuildCommand } from './run-build-command.ts';

/** The `bin` folder holding the fetched manager (fetched now unless already in `cacheDir`). */
export async function fetchPackageManager(context: StepContext, cacheDir: string, wanted: ManagerVersion): Promise<string> {
  const folder = join(cacheDir, 'package-managers', `${wanted.npmPackage.replace('/', '+')}@${wanted.version}`);
  const bin = join(folder, 'bin');
  if (await stat(bin).then(() => true, () => false)) {
    context.log.system(`using ${wanted.npmPackage}@${wanted.version} from the server's cache`, 'setup');
    return bin;
  }
  await mkdir(join(cacheDir, 'package-managers'), { recursive: true });
  // Installed beside the final folder and renamed into place, so a build stopped half-way
  // leaves no folder that looks complete; two builds racing both end with a whole copy.
  const partial = `${folder}.partial-${process.pid}-${Date.now()}`;
  try {
    await runBuildCommand({
      ...context, cwd: cacheDir, source: 'setup',
      argv: ['npm', 'install', '--global', '--prefix', partial, `${wanted.npmPackage}@${wanted.version}`, '--no-audit', '--no-fund', '--ignore-scripts'],
    });
    await rename(partial, folder).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return bin;
}
