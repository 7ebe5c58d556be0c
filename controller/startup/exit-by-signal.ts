/**
 * How `slipway server` ends after a graceful shutdown: by the signal that stopped it,
 * re-raised with its default action (the kernel ends the process; exit status 143 for
 * SIGTERM, 130 for SIGINT), as a Unix program's termination handler should.
 *
 * Not `process.exit(0)`: that runs Node's platform shutdown while the V8 isolate is
 * still alive, and a background compile job waiting there for a garbage collection the
 * main thread will never run deadlocks it (nodejs/node#54918). With V8's
 * `--optimize-for-size`, which the server runs with (cli/server-flags.ts), a server hung
 * this way after SIGTERM (docs/adr/0009-server-exit-and-v8-flags.md). A process ended by
 * a signal's default action runs no exit code at all, so it cannot hang there.
 */

/**
 * Something to flush before the process ends: pino's logger (the logging port has no
 * flush). The server's logger writes synchronously, so there is nothing left to flush;
 * a buffered one must be flushed, as a signal's default action runs no exit hook.
 */
export interface Flushable {
  flush(callback?: (error?: Error) => void): void;
}
const canFlush = (logger: object): logger is Flushable => typeof (logger as Partial<Flushable>).flush === 'function';

/** What ends the process; the real one unless a test gives its own. */
export interface ProcessEnd {
  /** Ends the process by `signal`'s default action. */
  raise(signal: NodeJS.Signals): void;
  /** The last resort when raising did not end it. */
  exit(code: number): void;
}

const realEnd: ProcessEnd = {
  raise(signal) {
    // With no listener left, Node restores the default action (libuv's uv_signal_stop).
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  },
  exit: (code) => process.exit(code),
};

/**
 * Flushes `logger` when it can be (bounded by `flushMs`), then ends the process by
 * `signal`. Should the process still run `fallbackMs` later (the signal ignored by
 * something we do not know of), it exits with `process.exit(0)`.
 */
export async function exitBySignal(signal: NodeJS.Signals, logger: object, options: { flushMs?: number; fallbackMs?: number; end?: ProcessEnd } = {}): Promise<void> {
  const end = options.end ?? realEnd;
  if (canFlush(logger)) {
    await new Promise<void>((done) => {
      const timer = setTimeout(done, options.flushMs ?? 1000);
      timer.unref();
      logger.flush(() => { clearTimeout(timer); done(); });
    });
  }
  end.raise(signal);
  setTimeout(() => end.exit(0), options.fallbackMs ?? 1000).unref();
}
