/**
 * Runs one build step as a child process in its own process group, so a timeout or an
 * abort kills everything the step started (npm → sh → node → …), not only the first
 * process. stdin is closed; stdout and stderr are split into lines for the build log.
 */
import { spawn } from 'node:child_process';
import type { BuildLog } from './build-log.ts';
import { createLineSplitter } from './split-lines.ts';
import { isErrorLine } from '../run/error-line.ts';
import { stageFailed } from './stage-failed.ts';
import type { TrackProcess } from '../run/process-records.ts';

/** Inputs of {@link runBuildCommand}. */
export interface RunBuildCommandOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  log: BuildLog;
  /** Names the step in log lines (`LogLine.source`), e.g. "install". */
  source: string;
  /** Epoch ms by which the whole build must be done. */
  deadline: number;
  /** The whole build's timeout, for the message. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Records the step's process group so a server restarted after a crash can end it. */
  track?: TrackProcess;
}

// After the step's main process exits, output may still be buffered in the pipes; a
// process that escaped the group (setsid) could hold them open for ever, so stop
// waiting for the pipes after this long.
const PIPE_GRACE_MS = 1000;

/** Kills process group `pid`; a group that is already gone is fine. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group
  }
}

/**
 * The line of a failed step's output a person should read first: its first error line
 * (`npm error code E404`, `ERROR: Could not find a version …`), else its last line;
 * cut to 300 characters.
 */
function tellingLine(tail: string[]): string | undefined {
  const lines = tail.map((line) => line.trim()).filter(Boolean);
  const line = lines.find(isErrorLine) ?? lines.at(-1);
  return line === undefined ? undefined : line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** Runs `argv`; resolves when it exits 0, else throws `stage_failed` (exit code, timeout or abort, with the last lines). */
export function runBuildCommand(options: RunBuildCommandOptions): Promise<void> {
  const { argv, log, source, signal } = options;
  const display = argv.join(' ');
  if (signal?.aborted) return Promise.reject(stageFailed('build aborted', { aborted: true, command: display }, signal.reason));
  const remaining = options.deadline - Date.now();
  if (remaining <= 0) return Promise.reject(timedOut(options, display));
  log.clearTail();
  log.system(`running: ${display}`, source);

  return new Promise<void>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forget = child.pid === undefined ? undefined : options.track?.(child.pid, `build ${source}: ${display}`);
    let stopped: 'timeout' | 'abort' | undefined;
    let startError: Error | undefined;
    const stop = (why: 'timeout' | 'abort') => {
      stopped ??= why;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop('timeout'), remaining);
    const onAbort = () => stop('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    const out = createLineSplitter((text) => log.output('stdout', text, source));
    const err = createLineSplitter((text) => log.output('stderr', text, source));
    child.stdout.on('data', (chunk: Buffer) => out.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.write(chunk));

    let grace: NodeJS.Timeout | undefined;
    child.on('exit', () => {
      // Nothing a build step started may outlive it: background daemons would keep
      // the release's files busy and the pipes open.
      killGroup(child.pid);
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, PIPE_GRACE_MS);
    });
    child.on('error', (error) => {
      startError = error;
    });
    child.on('close', (code, killedBy) => {
      forget?.();
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      out.end();
      err.end();
      if (stopped === 'abort') return reject(stageFailed('build aborted', { aborted: true, command: display }, signal?.reason));
      if (stopped === 'timeout') return reject(timedOut(options, display));
      if (startError !== undefined) {
        const why = (startError as NodeJS.ErrnoException).code ?? startError.message;
        return reject(stageFailed(`could not start "${argv[0]}" for "${display}": ${why}`, { command: display }));
      }
      if (code === 0) return resolve();
      const how = code === null ? `was killed by ${killedBy}` : `failed with exit code ${code}`;
      const said = tellingLine(log.tail());
      reject(stageFailed(`build step "${display}" ${how}${said ? `: ${said}` : ''}; its last lines are in the staging log`, {
        command: display,
        exitCode: code,
        signal: killedBy,
        log: log.tail(),
      }));
    });
  });
}

function timedOut(options: RunBuildCommandOptions, display: string) {
  return stageFailed(
    `build did not finish within ${Math.round(options.timeoutMs / 1000)} s ("${display}" was stopped); make the build faster or raise the staging timeout`,
    { timedOut: true, timeoutMs: options.timeoutMs, command: display, log: options.log.tail() },
  );
}
