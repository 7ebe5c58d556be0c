/** Simulated Job controller. */
import type { Logs } from '../logs.ts';
import type { Store } from '../store.ts';

/** Test controls over Jobs. */
export type JobControls = {
  complete(ns: string, name: string, opts?: { logs?: { init?: string[]; main?: string[] } }): void;
  fail(ns: string, name: string, opts?: { reason?: 'BackoffLimitExceeded' | 'DeadlineExceeded'; logs?: { init?: string[]; main?: string[] } }): void;
  stop(): void;
};

/** Create the Job controller. */
export function createJobController(_deps: { store: Store; logs: Logs; mode: 'complete' | 'fail' | 'manual' }): JobControls {
  return { complete() {}, fail() {}, stop() {} };
}
