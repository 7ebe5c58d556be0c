/**
 * Runs `slipway server` as a real child process, the way a user starts it, on a free
 * port, and waits until it says where it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SERVER_V8_FLAGS } from '../../cli/server-flags.ts';

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI entry file. */
export const CLI_BIN = fileURLToPath(new URL('../../cli/bin.ts', import.meta.url));

/** A running server process. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Everything the process wrote to stdout (its JSON log lines) so far. */
  stdout(): string;
  /**
   * Stops it (SIGTERM by default) and waits for the end: its exit code, or the signal
   * that ended it (a server that shut down cleanly ends by the signal it was sent).
   */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** Resolves when the process ends on its own, as {@link stop} does. */
  ended: Promise<number | NodeJS.Signals | null>;
}

/** Starts `node cli/bin.ts server` with `env` on top of a minimal environment. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  // The same V8 flags and malloc setting as `npm start`, so what tests and benchmarks see is what users run.
  // A young-generation size given in NODE_OPTIONS (bench/control-plane.ts --node-options) replaces ours: the command line would win over it.
  const flags = SERVER_V8_FLAGS.filter((flag) => !(flag.startsWith('--max-semi-space-size') && env.NODE_OPTIONS?.includes('--max-semi-space-size')));
  const child = spawn(process.execPath, [...flags, CLI_BIN, 'server'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '131072', SLIPWAY_HOST: '127.0.0.1', SLIPWAY_PORT: '0', SLIPWAY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${stderr}`)); });
  });
  return {
    url,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    ended: exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
