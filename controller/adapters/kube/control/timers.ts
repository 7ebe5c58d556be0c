/**
 * Timers behind a seam, so the work queue's delays can be driven by a fake in unit
 * tests instead of by sleeping.
 */

/** A monotonic clock with one-shot timers. */
export interface Timers {
  /** Milliseconds on a monotonic clock (only differences matter). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Node's timers. They are unref'd: a pending retry must not keep a process alive
 * that has otherwise finished (the server's sockets keep a running controller alive).
 */
export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
