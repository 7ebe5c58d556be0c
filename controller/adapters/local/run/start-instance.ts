/**
 * One process of an app: spawned in its own process group with `PORT` set, its output
 * read into log lines, a readiness probe on its port, and a graceful stop. When it does
 * not become ready the error quotes its first error line and its last lines, labelled,
 * and an app that listens on another port than `PORT` is told so within seconds.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SlipwayError } from '../../../../core/errors.ts';
import type { LogSink } from '../../../../core/ports/runtime.ts';
import { listeningPorts } from './listening-ports.ts';
import { createOutputLines } from './output-lines.ts';
import type { TrackProcess } from './process-records.ts';

/** What to run. */
export interface InstanceSpec {
  /** Shown as the `source` of its log lines ("1", "web-2"). */
  id: string;
  /** Program and arguments; no shell. */
  command: string[];
  cwd: string;
  /** The app's environment; `PORT` is added. Nothing of the server's environment leaks in. */
  env: Record<string, string>;
  port: number;
  log: LogSink;
  /** Output cap, bytes per second (default 1 MiB); the excess is dropped with a `system` note. */
  maxLogBytesPerSecond?: number;
  /** Records the started process so a server restarted after a crash can end it (run/process-records.ts). */
  track?: TrackProcess;
  /** Names it in that record ("app default/web 1a2b3c-1"). */
  label?: string;
}

/** How a process ended; `code` and `signal` are null when it could not be started. */
export interface InstanceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not be started (e.g. `spawn node ENOENT`). */
  error?: string;
}

/** A running process of an app. */
export interface Instance {
  readonly id: string;
  readonly port: number;
  /** Undefined when the program could not be started. */
  readonly pid: number | undefined;
  /** Resolves once the process has exited (never rejects). */
  readonly exited: Promise<InstanceExit>;
  /** The last lines it printed, newest last. */
  tail(): string[];
  /** The first line it printed that reads as an error (run/error-line.ts). */
  firstError(): string | undefined;
  /**
   * Resolves once something accepts TCP connections on 127.0.0.1:port; rejects with
   * `deploy_failed` when it exits first, listens only on other ports for
   * {@link WRONG_PORT_GRACE_MS}, or the deadline passes.
   */
  waitUntilReady(options: { timeoutMs: number }): Promise<void>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once exited. Idempotent. */
  stop(options: { graceMs: number }): Promise<void>;
}

const POLL_MS = 25;
/** How often the ports the app listens on are looked up while it is not ready (a walk over /proc). */
const PORT_CHECK_MS = 500;
/**
 * How long an app may listen on other ports only before that counts as a hard-coded
 * port: a server that opens a debug or metrics port first still gets to open PORT.
 */
export const WRONG_PORT_GRACE_MS = 2_000;
/** Lines of the end of the output quoted in a failure. */
const QUOTED_LINES = 8;

/** Starts one instance. Never throws: a program that cannot start shows as an exit. */
export function startInstance(spec: InstanceSpec): Instance {
  const output = createOutputLines({ source: spec.id, log: spec.log, maxBytesPerSecond: spec.maxLogBytesPerSecond });
  const [program, ...args] = spec.command;
  // detached: its own process group, so stop() reaches the children an app forks (npm → node).
  const child = spawn(program ?? '', args, {
    cwd: spec.cwd,
    env: { ...spec.env, PORT: String(spec.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  output.attach(child.stdout, 'stdout');
  output.attach(child.stderr, 'stderr');
  const forget = child.pid === undefined ? undefined : spec.track?.(child.pid, spec.label ?? spec.id);
  let exit: InstanceExit | undefined;

  const exited = new Promise<InstanceExit>((resolve) => {
    const done = (result: InstanceExit) => {
      if (exit) return;
      exit = result;
      // The leader is gone; nothing of its group may keep the port or the pipes open.
      killGroup(child.pid, 'SIGKILL');
      forget?.();
      output.finish();
      resolve(result);
    };
    child.once('error', (error) => done({ code: null, signal: null, error: error.message }));
    // Output still in the pipes is read until 'close'; but a grandchild holding the pipes
    // open must not hide the exit, so 'exit' plus a short wait also counts.
    let status: InstanceExit | undefined;
    child.once('exit', (code, signal) => {
      status = { code, signal };
      setTimeout(() => done({ code, signal }), 200).unref();
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => done(status ?? { code, signal }));
  });

  const failure = (message: string) => {
    const firstError = output.firstError();
    return new SlipwayError('deploy_failed', `${message}${quoteOutput(firstError, output.tail())}`, {
      status: 422, data: { log: output.tail(), ...(firstError ? { firstError } : {}) },
    });
  };

  let stopping: Promise<void> | undefined;
  return {
    id: spec.id,
    port: spec.port,
    pid: child.pid,
    exited,
    tail: () => output.tail(),
    firstError: () => output.firstError(),
    async waitUntilReady({ timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      let nextPortCheck = Date.now() + PORT_CHECK_MS;
      let elsewhereSince: number | undefined;
      for (;;) {
        if (exit) throw failure(`${describeExit(exit)} before it answered on port ${spec.port}`);
        if (await accepts(spec.port)) {
          if (!exit) return;
          continue;
        }
        if (child.pid !== undefined && Date.now() >= nextPortCheck) {
          const ports = await listeningPorts(child.pid);
          nextPortCheck = Date.now() + PORT_CHECK_MS;
          if (ports.length && !ports.includes(spec.port)) {
            elsewhereSince ??= Date.now();
            if (Date.now() - elsewhereSince >= WRONG_PORT_GRACE_MS) throw failure(wrongPort(ports, spec.port));
          } else {
            elsewhereSince = undefined;
          }
        }
        if (Date.now() >= deadline) throw failure(`did not answer on port ${spec.port} within ${timeoutMs} ms`);
        await Promise.race([delay(POLL_MS), exited]);
      }
    },
    stop({ graceMs }) {
      stopping ??= (async () => {
        if (exit) return;
        killGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** "exited with code 1", "was killed by SIGKILL", "could not start: …". */
export function describeExit(exit: InstanceExit): string {
  if (exit.error) return `could not start: ${exit.error}`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/** "listens on port 3000, but must listen on $PORT (41234): …", what Heroku users know as R10. */
function wrongPort(ports: number[], port: number): string {
  const listed = `port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}`;
  return `listens on ${listed}, but must listen on $PORT (${port}): read the port from the PORT environment variable, e.g. \`app.listen(process.env.PORT)\``;
}

/**
 * The output worth reading in a failure, labelled: the first error line (the cause; a
 * Node crash ends in stack frames and `Node.js v24`) and the last lines.
 */
function quoteOutput(firstError: string | undefined, tail: string[]): string {
  const lines = tail.slice(-QUOTED_LINES).filter((line) => line.trim());
  const parts = [
    ...(firstError ? [`\nfirst error: ${firstError}`] : []),
    ...(lines.length ? [`\nlast lines:\n${lines.map((line) => `  ${line}`).join('\n')}`] : []),
  ];
  return parts.join('');
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      // TCP self-connect: a probe of a port nobody listens on, given that very port as its
      // own ephemeral port, "connects" to itself. Free ports come from the ephemeral range,
      // so under load this happens; it is not the app answering.
      const self = socket.localPort === port;
      socket.destroy();
      resolve(!self);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
