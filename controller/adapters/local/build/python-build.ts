/**
 * Builds a Python app in place, as Heroku's Python buildpack would: a virtual
 * environment in the release (`.venv`), the dependencies of `requirements.txt` (or the
 * project of `pyproject.toml`) installed into it with pip, and its `bin/` first on the
 * app's PATH so the Procfile's `gunicorn …` is found. The server's `python3` (with the
 * venv module) is required; without it staging fails at once, before anything runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileExists } from './file-exists.ts';
import { findExecutable } from './find-executable.ts';
import type { StepContext } from './node-build.ts';
import { runBuildCommand } from './run-build-command.ts';
import { stageFailed } from './stage-failed.ts';

/** Where the virtual environment goes, relative to the release dir. */
export const VENV = '.venv';

/** The file that makes `dir` a Python app, or undefined. */
export async function pythonProjectFile(dir: string): Promise<'requirements.txt' | 'pyproject.toml' | undefined> {
  if (await fileExists(join(dir, 'requirements.txt'))) return 'requirements.txt';
  if (await fileExists(join(dir, 'pyproject.toml'))) return 'pyproject.toml';
  return undefined;
}

/** True when `python` can create virtual environments (Debian splits venv/ensurepip into python3-venv). */
function hasVenv(python: string, env: Record<string, string>): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import venv, ensurepip'], { env, timeout: 10_000 }, (error) => resolve(error === null));
  });
}

/** What {@link buildPython} did: labels for the plan's description, and the environment the app needs. */
export interface LanguageBuild {
  labels: string[];
  /** Folders (absolute) to put first on the app's PATH. */
  path: string[];
  env: Record<string, string>;
}

/** Creates `.venv` and installs the app's dependencies into it. */
export async function buildPython(context: StepContext, file: 'requirements.txt' | 'pyproject.toml'): Promise<LanguageBuild> {
  const python = await findExecutable('python3', context.env.PATH ?? '');
  const install = 'install Python 3 and its venv module on the server (Debian: apt-get install python3 python3-venv)';
  if (python === undefined) {
    throw stageFailed(`${file} makes this a Python app, but python3 is not installed on the Slipway server; ${install}`, { toolchain: 'python3', file });
  }
  if (!(await hasVenv(python, context.env))) {
    throw stageFailed(`${file} makes this a Python app, but ${python} cannot create virtual environments (no venv/ensurepip module); ${install}`, { toolchain: 'python3-venv', file });
  }
  context.log.system(`Python app (${file}), using ${python}`, 'detect');
  const venv = join(context.dir, VENV);
  // pip's questions and version check have nobody to answer them on a server.
  const env = { PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_PROGRESS_BAR: 'off', ...context.env, VIRTUAL_ENV: venv };
  const step = (argv: string[], source: string) => runBuildCommand({ ...context, env, cwd: context.dir, argv, source });
  await step([python, '-m', 'venv', venv], 'venv');
  const pip = join(venv, 'bin', 'pip');
  await step(file === 'requirements.txt' ? [pip, 'install', '-r', 'requirements.txt'] : [pip, 'install', '.'], 'install');
  return {
    labels: ['venv', file === 'requirements.txt' ? 'pip install -r requirements.txt' : 'pip install .'],
    path: [join(venv, 'bin')],
    // Unbuffered, so the app's prints reach its log as they happen (Heroku sets the same).
    env: { VIRTUAL_ENV: venv, PYTHONUNBUFFERED: '1' },
  };
}
