/**
 * The V8 flags `slipway server` runs with. `npm start`, the image's default command and
 * the tests' server launcher put them on node's command line; a `slipway server`
 * started without them (the executable's `#!` line serves every command) replaces
 * itself with a node that has them (`process.execve`: same PID, same arguments).
 *
 * - `--max-semi-space-size=1`: a small young generation (every command has it).
 * - `--optimize-for-size`: V8 grows the old generation less eagerly and gives pages
 *   back sooner: ~30 MiB less with 1,000 Apps, ~110 MiB less with 10,000
 *   (docs/adr/0009-server-exit-and-v8-flags.md). Only the server: it is what holds
 *   memory for long, and it ends by a signal (controller/startup/exit-by-signal.ts), so
 *   the exit deadlock the flag makes likelier cannot catch it. Short commands keep
 *   V8's defaults.
 */
export const SERVER_V8_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'] as const;

/** Set in the environment of the replacing process, so a replacement happens once. */
const REEXEC_MARK = 'SLIPWAY_SERVER_REEXEC';

/** What a replacement needs from the process; the real one unless a test gives its own. */
export interface ServerProcessSurface {
  execPath: string;
  execArgv: string[];
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** `process.execve` where Node has it (POSIX, Node ≥ 23.11). */
  execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never;
}

/** The flags of {@link SERVER_V8_FLAGS} missing from `execArgv` (a `--max-semi-space-size` of any value counts). */
export function missingServerFlags(execArgv: readonly string[]): string[] {
  // V8 reads `--a_b` as `--a-b`.
  const name = (arg: string) => arg.split('=')[0]!.replace(/_/g, '-');
  const given = new Set(execArgv.map(name));
  return SERVER_V8_FLAGS.filter((flag) => !given.has(name(flag)));
}

/**
 * Replaces this process with one that has the server's flags, when some are missing,
 * `execve` exists and this process is not already the replacement. Returns only when it
 * does not replace.
 */
export function reexecWithServerFlags(proc: ServerProcessSurface = process): void {
  const missing = missingServerFlags(proc.execArgv);
  if (missing.length === 0 || !proc.execve || proc.env[REEXEC_MARK]) return;
  proc.execve(proc.execPath, [proc.execPath, ...proc.execArgv, ...missing, ...proc.argv.slice(1)], { ...proc.env, [REEXEC_MARK]: '1' });
}
