/**
 * The CLI's composition root: takes argv, the environment and the streams, builds the
 * program, the API client and the output sink, runs one command and returns the exit
 * code. Only this file sees the environment; `bin.ts` sets the exit code.
 */
import { CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { createApiClient, type ApiClientDeps } from './api-client.ts';
import { CliError, toCliError } from './cli-error.ts';
import { createOutput, type CliIo, type Output } from './output.ts';
import { buildProgram } from './program.ts';
import { readSettings, resolveCredentials, settingsPath } from './settings-file.ts';
import { reexecWithServerFlags } from './server-flags.ts';

/** Seams for tests; the defaults are the real thing. */
export interface MainDeps extends ApiClientDeps {
  /** Starts the controller; by default loads controller/main.ts lazily. */
  runServer?(options: { port?: number }): Promise<unknown>;
  /** Ctrl-C watcher for following commands; by default SIGINT of this process. */
  interrupt?(): { signal: AbortSignal; dispose(): void };
  /** Yes/no questions (`git-keys trust`); by default asked on stdin when it is a terminal. */
  confirm?(question: string): Promise<boolean>;
}

/** Asks on the terminal; "y" or "yes" is yes, anything else no. */
async function askYesNo(io: CliIo, question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: io.stdin!, output: io.stderr as NodeJS.WritableStream });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Aborts on the first SIGINT while watched; a second Ctrl-C then ends the process as usual. */
function watchSigint(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSigint = () => { controller.abort(); };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => { process.off('SIGINT', onSigint); } };
}

/** Commander's own exits: help and version are successes, everything else is usage. */
function commanderExit(error: CommanderError): number {
  // `--help`, `help`, `help CMD` and `--version` are successes (commander marks them with exit code 0).
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version' || error.exitCode === 0) return 0;
  return 2;
}

function wantsJson(argv: string[]): boolean {
  return argv.some((arg, i) => arg === '--output=json' || arg === '-ojson' || ((arg === '--output' || arg === '-o') && argv[i + 1] === 'json'));
}

/** Prints an error: message with its code, then what to do next; never a stack. */
function report(error: CliError, output: Output, json: boolean): void {
  if (json) {
    const body = { error: { code: error.code, message: error.message, hint: error.hint, status: error.status, data: Object.keys(error.data).length ? error.data : undefined } };
    output.err(JSON.stringify(body, null, 2));
    return;
  }
  output.err(`error: ${error.message} (${error.code})`);
  if (error.hint) output.err(`hint: ${error.hint}`);
}

/** Runs the CLI for `argv` (as in `process.argv`) and returns the process exit code. */
export async function main(argv: string[], env: Record<string, string | undefined>, io: CliIo, deps: MainDeps = {}): Promise<number> {
  const output = createOutput(io);
  const settingsFile = settingsPath(env, io.homedir);
  const connect = (credentials: Parameters<typeof createApiClient>[0]) => createApiClient(credentials, { fetch: deps.fetch });
  const program = buildProgram({
    output,
    cwd: io.cwd,
    env,
    settingsFile,
    version: packageJson.version,
    connect,
    async api(globals) {
      const flags = { url: globals.url, user: globals.user, password: globals.password };
      // The stored login is only read when flags and environment leave something open.
      const complete = (flags.url ?? env.SLIPWAY_URL) && (flags.user ?? env.SLIPWAY_USER) && (flags.password ?? env.SLIPWAY_PASSWORD);
      const stored = complete ? undefined : await readSettings(settingsFile);
      return connect(resolveCredentials({ flags, env, stored }));
    },
    interrupt: () => (deps.interrupt ?? watchSigint)(),
    confirm: deps.confirm ?? (io.stdin?.isTTY ? (question) => askYesNo(io, question) : undefined),
    async runServer(options) {
      if (deps.runServer) return deps.runServer(options);
      // The server's V8 flags (server-flags.ts): a `slipway server` started without them becomes one that has them.
      reexecWithServerFlags();
      // Lazy: client commands never load the server's code and dependencies.
      const { runServer } = await import('../controller/main.ts');
      return runServer(options);
    },
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error);
    const cliError = toCliError(error);
    report(cliError, output, wantsJson(argv));
    return cliError.exitCode;
  }
}
