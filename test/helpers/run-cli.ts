/**
 * Runs the `slipway` CLI as a child process, as a user or a script would.
 */
import { execFile } from 'node:child_process';
import { CLI_BIN, REPO_ROOT } from './server-process.ts';

/** What a CLI run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node cli/bin.ts ...args` with `env` (no inherited SLIPWAY_* settings) in `cwd`. */
export function runCli(args: string[], env: Record<string, string>, cwd = REPO_ROOT): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: env.HOME ?? process.env.HOME, ...env },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
