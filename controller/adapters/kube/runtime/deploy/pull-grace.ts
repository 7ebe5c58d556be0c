/**
 * How long a rollout puts up with an image that cannot be pulled yet: a registry that
 * has just received the image, or a pull secret still being copied, often mends within
 * seconds, so a pull failure fails the rollout only once it has lasted the grace. Both
 * rollout waits (by watches, and from the Deployment cache) keep one of these.
 */
import { PULL_REASONS, type PodProblem } from './pod-problem.ts';

/** The state of {@link createPullGrace}. */
export interface PullGrace {
  /** The grace, ms. */
  readonly graceMs: number;
  /** Whether `problem` is a pull failure still within its grace (then it is remembered as {@link pulling}); for `rolloutState`. */
  tolerate(problem: PodProblem): boolean;
  /** The pull failure last tolerated since the last {@link reset}. */
  readonly pulling: PodProblem | undefined;
  /** Forgets the pull failure last tolerated (before a new look at the pods). */
  reset(): void;
  /** When the grace of the failure last tolerated ends (epoch ms), or undefined without one. */
  graceEndsAt(): number | undefined;
}

/** Creates the grace bookkeeping of one rollout wait. */
export function createPullGrace(graceMs: number): PullGrace {
  /** When each pod's container was first seen failing to pull. */
  const since = new Map<string, number>();
  const keyOf = (problem: PodProblem) => `${problem.pod}/${problem.container}`;
  let pulling: PodProblem | undefined;
  return {
    graceMs,
    tolerate: (problem) => {
      if (!PULL_REASONS.has(problem.reason)) return false;
      const first = since.get(keyOf(problem)) ?? Date.now();
      since.set(keyOf(problem), first);
      if (Date.now() - first >= graceMs) return false;
      pulling = problem;
      return true;
    },
    get pulling() { return pulling; },
    reset: () => { pulling = undefined; },
    graceEndsAt: () => (pulling ? (since.get(keyOf(pulling)) ?? 0) + graceMs : undefined),
  };
}
