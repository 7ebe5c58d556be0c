/**
 * One process of an app: spawned in its own process group with `PORT` set, its output
 * read into log lines, a readiness probe on its port, and a graceful stop.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SlipwayError } from '../../../../core/errors.ts';
import type { LogSink } from '../../../../core/ports/runtime.ts';
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
  /** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects with `deploy_failed` when it exits first or the deadline passes. */
  waitUntilReady(options: { timeoutMs: number }): Promise<void>;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once exited. Idempotent. */
  stop(options: { graceMs: number }): Promise<void>;
}

const POLL_MS = 25;

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

  const failure = (message: string) =>
    new SlipwayError('deploy_failed', message, { status: 422, data: { log: output.tail() } });

  let stopping: Promise<void> | undefined;
  return {
    id: spec.id,
    port: spec.port,
    pid: child.pid,
    exited,
    tail: () => output.tail(),
    async waitUntilReady({ timeoutMs }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exit) throw failure(`${describeExit(exit)} before it answered on port ${spec.port}${lastLines(output.tail())}`);
        if (await accepts(spec.port)) {
          if (!exit) return;
          continue;
        }
        if (Date.now() >= deadline) throw failure(`did not answer on port ${spec.port} within ${timeoutMs} ms${lastLines(output.tail())}`);
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

function lastLines(tail: string[]): string {
  const lines = tail.slice(-5).filter((line) => line.trim());
  return lines.length ? `: ${lines.join('\n')}` : '';
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
