/**
 * Tells whether a folder can be written right now, for `/readyz`: a full or read-only
 * disk otherwise leaves the server "ready" while every change fails. The probe is what
 * a state write does (temp file, fsync, rename) on a few bytes, then removes the file.
 * Its answer is kept for `ttlMs` and concurrent checks share one probe, so a probe every
 * few seconds from Kubernetes costs one small write, whatever the traffic.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { storageError } from '../../../core/error-cases.ts';
import { writeFileAtomic } from './atomic-write.ts';

/** Settings of {@link createWriteProbe}. */
export interface WriteProbeOptions {
  dir: string;
  /** How long an answer is reused (default 2 s). */
  ttlMs?: number;
  now?: () => number;
}

/** Why the folder cannot be written, or undefined when it can. */
export type WriteProblem = { reason: string; code: string } | undefined;

/** A cached write check of `dir`. */
export function createWriteProbe({ dir, ttlMs = 2_000, now = Date.now }: WriteProbeOptions): { problem(): Promise<WriteProblem> } {
  let cached: { at: number; answer: Promise<WriteProblem> } | undefined;
  async function probe(): Promise<WriteProblem> {
    const file = join(dir, '.ready-probe');
    try {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(file, String(now()));
      await rm(file, { force: true });
      return undefined;
    } catch (error) {
      const known = storageError(error, dir);
      const code = known?.code ?? 'storage_unwritable';
      return { code, reason: known?.message ?? `${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  return {
    problem() {
      if (!cached || now() - cached.at >= ttlMs) cached = { at: now(), answer: probe() };
      return cached.answer;
    },
  };
}
