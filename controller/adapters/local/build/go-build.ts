/**
 * Builds a Go app in place, as Heroku's Go buildpack would: `go build` of the module's
 * main packages into `bin/`, which goes first on the app's PATH so a Procfile's
 * `web: myapp` (or `bin/myapp`) is found. Without a Procfile the web process is the
 * binary named after the module's last path element, as the buildpack's default. The
 * server's `go` is required; without it staging fails at once.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable } from './find-executable.ts';
import type { StepContext } from './node-build.ts';
import type { LanguageBuild } from './python-build.ts';
import { runBuildCommand } from './run-build-command.ts';
import { stageFailed } from './stage-failed.ts';

/** The module path `go.mod` declares (`module example.com/app`), or undefined. */
export async function goModulePath(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, 'go.mod'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : /^\s*module\s+"?([^\s"]+)"?/m.exec(text)?.[1];
}

/** `go build` of every main package into `<dir>/bin/`; the binaries it wrote are returned in `binaries`. */
export async function buildGo(context: StepContext, modulePath: string): Promise<LanguageBuild & { binaries: string[] }> {
  const go = await findExecutable('go', context.env.PATH ?? '');
  if (go === undefined) {
    throw stageFailed(
      'go.mod makes this a Go app, but go is not installed on the Slipway server; install Go on the server (Debian: apt-get install golang-go; or https://go.dev/dl/)',
      { toolchain: 'go', file: 'go.mod' },
    );
  }
  context.log.system(`Go app (module ${modulePath}), using ${go}`, 'detect');
  // GOTOOLCHAIN=local: a go.mod asking for a newer Go must fail here, not download one.
  const env = { GOTOOLCHAIN: 'local', ...context.env };
  const bin = join(context.dir, 'bin');
  // With -o naming a folder, go build writes every main package of ./... into it and
  // compiles (and discards) the rest.
  await runBuildCommand({ ...context, env, cwd: context.dir, argv: [go, 'build', '-o', `${bin}/`, './...'], source: 'build' });
  const binaries = (await readdir(bin).catch(() => [] as string[])).sort();
  if (binaries.length === 0) {
    throw stageFailed('go build wrote no program: the module has no main package (package main with func main)', { file: 'go.mod' });
  }
  return { labels: ['go build'], path: [bin], env: {}, binaries };
}
