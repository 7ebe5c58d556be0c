/** Simulated Deployment controller. */
import type { Store } from '../store.ts';

/** Test controls over Deployments. */
export type DeploymentControls = {
  rollout(ns: string, name: string): void;
  fail(ns: string, name: string, reason: string, message?: string): void;
  stop(): void;
};

/** Create the Deployment controller. */
export function createDeploymentController(_deps: { store: Store; auto: boolean }): DeploymentControls {
  return { rollout() {}, fail() {}, stop() {} };
}
