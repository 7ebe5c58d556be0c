import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stageFailed } from './stage-failed.ts';

/** The parts of package.json the build reads. Other fields are left alone. */
export interface PackageJson {
  scripts: Record<string, string>;
  main?: string;
  /** Names of every package an install would fetch (dependencies, devDependencies, optionalDependencies). */
  dependencyCount: number;
  devDependencyCount: number;
  /** Names in `dependencies` and `optionalDependencies`. */
  dependencies: string[];
  /** Names in `devDependencies`. */
  devDependencies: string[];
  /** The `packageManager` field (corepack's), e.g. "pnpm@9.1.0+sha512.…". */
  packageManager?: string;
}

const names = (value: unknown): string[] =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
const count = (value: unknown): number => names(value).length;

/** Reads `<dir>/package.json`; invalid JSON or a non-object → `stage_failed` naming the file. */
export async function readPackageJson(dir: string): Promise<PackageJson> {
  const text = await readFile(join(dir, 'package.json'), 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw stageFailed(`package.json is not valid JSON: ${(error as Error).message}`, { file: 'package.json' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw stageFailed('package.json must hold a JSON object', { file: 'package.json' });
  }
  const pkg = parsed as Record<string, unknown>;
  const scripts: Record<string, string> = {};
  if (pkg.scripts !== null && typeof pkg.scripts === 'object') {
    for (const [name, script] of Object.entries(pkg.scripts)) {
      if (typeof script === 'string' && script.trim() !== '') scripts[name] = script;
    }
  }
  return {
    scripts,
    ...(typeof pkg.main === 'string' && pkg.main.trim() !== '' ? { main: pkg.main.trim() } : {}),
    dependencyCount: count(pkg.dependencies) + count(pkg.optionalDependencies),
    devDependencyCount: count(pkg.devDependencies),
    dependencies: [...names(pkg.dependencies), ...names(pkg.optionalDependencies)],
    devDependencies: names(pkg.devDependencies),
    ...(typeof pkg.packageManager === 'string' && pkg.packageManager.trim() !== '' ? { packageManager: pkg.packageManager.trim() } : {}),
  };
}
