/**
 * Which version of yarn or pnpm a project asks for, as Heroku's Node.js buildpack reads
 * it: the `packageManager` field first, else what its lockfile's format implies.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A package-manager version to fetch from the npm registry: the package, and an exact version or a major. */
export interface ManagerVersion {
  /** "yarn" (1.x), "@yarnpkg/cli-dist" (2+) or "pnpm". */
  npmPackage: string;
  /** An exact version from `packageManager`, or a major ("1", "4", "9") inferred from the lockfile. */
  version: string;
  /** Where it was read, for the build log. */
  from: string;
  /** yarn 2+ ("berry"): different install flags, no --production. */
  berry: boolean;
}

/** The version `packageManager` names for `name` (its `+sha…` suffix dropped), if it names `name`. */
export function declaredVersion(name: 'yarn' | 'pnpm', packageManager: string | undefined): ManagerVersion | undefined {
  const match = /^(yarn|pnpm)@(\d+\.\d+\.\d+[\w.-]*)(\+.*)?$/.exec(packageManager ?? '');
  if (match?.[1] !== name) return undefined;
  const version = match[2]!;
  const berry = name === 'yarn' && !version.startsWith('1.');
  return { npmPackage: name === 'pnpm' ? 'pnpm' : berry ? '@yarnpkg/cli-dist' : 'yarn', version, from: 'packageManager in package.json', berry };
}

/** The major the lockfile's format implies (yarn.lock v1 vs berry's __metadata.version, pnpm-lock's lockfileVersion). */
export async function lockfileVersion(dir: string, lockfile: 'yarn.lock' | 'pnpm-lock.yaml'): Promise<ManagerVersion> {
  const head = (await readFile(join(dir, lockfile), 'utf8').catch(() => '')).slice(0, 4096);
  if (lockfile === 'yarn.lock') {
    const metadata = /__metadata:\s*\n\s+version:\s*(\d+)/.exec(head);
    if (metadata === null) return { npmPackage: 'yarn', version: '1', from: 'yarn.lock (v1)', berry: false };
    // Lockfile format 4 is yarn 2's, 5–6 yarn 3's, 8 and later yarn 4's.
    const format = Number(metadata[1]);
    const major = format <= 4 ? '2' : format <= 6 ? '3' : '4';
    return { npmPackage: '@yarnpkg/cli-dist', version: major, from: `yarn.lock (format ${format})`, berry: true };
  }
  const declared = /lockfileVersion:\s*'?([\d.]+)'?/.exec(head)?.[1] ?? '9.0';
  // 5.3 is pnpm 6's, 5.4 pnpm 7's, 6.0 pnpm 8's, 9.0 pnpm 9's (and 10's).
  const major = declared.startsWith('5.3') ? '6' : declared.startsWith('5') ? '7' : declared.startsWith('6') ? '8' : '9';
  return { npmPackage: 'pnpm', version: major, from: `pnpm-lock.yaml (lockfileVersion ${declared})`, berry: false };
}
