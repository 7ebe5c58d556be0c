/**
 * Deploy step: run a staged release and make it the one that serves. The runtime keeps
 * the previous release serving until the new one answers, so a failed deploy changes
 * nothing a user sees; only a successful one is recorded as the current release.
 */
import type { App, Release } from '../../core/types.ts';
import type { DeployOutput } from '../../core/ports/runtime.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { requireApp } from './lookup.ts';
import { assertRoutesFree, basicRoutePolicy, routesOf } from './app-routes.ts';
import { nextReleaseNumber, recordRelease } from './run-records.ts';

/** What to deploy: a stage's output, or an existing release (rollback, restore). */
export interface DeployAppInput {
  namespace: string;
  app: string;
  stageId: string;
  image: string;
  blobuid?: string;
  revision?: string;
  branch?: string;
  /** Redeploy this existing release instead of recording a new one. */
  release?: Release;
  signal?: AbortSignal;
}

/**
 * Deploys and returns the routes, URLs and the release now serving. `also` is applied
 * in the same write that records the release (given the release and where it answers).
 */
export async function deployApp(deps: PipelineDeps, input: DeployAppInput, also?: (app: App, deployed: DeployOutput & { release: Release }) => App): Promise<DeployOutput & { release: Release }> {
  const app = await requireApp(deps.store, input.namespace, input.app);
  const routes = routesOf(app, deps.systemDomain, deps.systemDomainProblem);
  await assertRoutesFree(deps.store, deps.routePolicy ?? basicRoutePolicy(deps.systemDomain), app, routes);
  const output = await deps.runtime.deploy({
    namespace: input.namespace, app: input.app, stageId: input.stageId, image: input.image,
    instances: app.spec.instances, env: app.spec.env, routes, signal: input.signal,
  });
  const size = output.sizeBytes === undefined ? {} : { sizeBytes: output.sizeBytes };
  const release: Release = input.release ? { ...input.release, ...size } : {
    number: nextReleaseNumber(app), stageId: input.stageId, image: input.image, blobuid: input.blobuid ?? app.status.source?.blobuid ?? '',
    revision: input.revision, branch: input.branch, createdAt: deps.clock.now().toISOString(), ...size,
  };
  const deployed = { ...output, release };
  await recordRelease(deps.store, input.namespace, input.app, release, output.routes, output.urls, also && ((app) => also(app, deployed)));
  return deployed;
}
