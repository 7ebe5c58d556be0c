/**
 * A server-wide bound on git operations running at once (SLIPWAY_GIT_CONCURRENCY).
 * Each operation's memory is capped (pkt-line buffer, ref listing, pack index), so
 * the bound makes the server's worst case a known multiple of that, whatever the
 * remotes send. Extra operations wait in a short first-come line — a burst of pushes
 * is served, not refused — and the line itself is bounded: when it is full, or a
 * waiter gets no slot within `waitMs`, the answer is 503 `git_busy`.
 */
import { gitBusy } from '../../../core/error-cases.ts';

/** Releases a slot; calling it again does nothing. */
export type ReleaseSlot = () => void;

/** The slots. */
export interface GitSlots {
  /** Waits for a free slot; rejects with `git_busy`, or with `signal`'s reason when it fires first. */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot>;
  /** Operations holding a slot, and operations waiting for one. */
  usage(): { running: number; waiting: number };
}

/** Options for {@link createGitSlots}. */
export interface GitSlotsOptions {
  /** Operations that may run at once. */
  limit: number;
  /** Operations that may wait; the next one is refused at once. */
  maxWaiting: number;
  /** Longest one operation waits for a slot. */
  waitMs: number;
}

interface Waiter {
  grant(release: ReleaseSlot): void;
}

/** Creates the slots. */
export function createGitSlots(options: GitSlotsOptions): GitSlots {
  let running = 0;
  const line: Waiter[] = [];

  const releaser = (): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = line.shift();
      if (next) next.grant(releaser());
      else running--;
    };
  };

  return {
    usage: () => ({ running, waiting: line.length }),
    acquire(signal) {
      signal?.throwIfAborted();
      if (running < options.limit) {
        running++;
        return Promise.resolve(releaser());
      }
      if (line.length >= options.maxWaiting) return Promise.reject(gitBusy(running, `${line.length} more are waiting`));
      return new Promise<ReleaseSlot>((resolve, reject) => {
        const leave = (error: unknown) => {
          const at = line.indexOf(waiter);
          if (at !== -1) line.splice(at, 1);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        };
        const onAbort = () => leave(signal!.reason);
        const waiter: Waiter = {
          grant(release) {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve(release);
          },
        };
        const timer = setTimeout(() => leave(gitBusy(running, `no slot came free within ${options.waitMs} ms`)), options.waitMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        line.push(waiter);
      });
    },
  };
}
