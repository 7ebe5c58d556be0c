/**
 * Reconcile one App: what the Kubernetes controller (the leader) does whenever an App
 * changes, however it changed — through the API, or with `kubectl apply` from a GitOps
 * repository. Runs recorded as pending by another replica are adopted; a spec the
 * controller has not acted on yet (`metadata.generation` > `status.observedGeneration`)
 * gets a run, unless a run was already asked for at that generation (the API asks for
 * one itself when it pushes): a new origin is imported/built and deployed, any other
 * change (instances, env, routes) redeploys the current release without a build.
 */
import type { App, Release } from '../../core/types.ts';
import { isSlipwayError } from '../../core/errors.ts';
import { redact } from '../../core/redact.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import type { Runner } from './create-runner.ts';
import type { RunRequest } from './run-request.ts';

/** What reconciling did, for logs and tests. */
export interface ReconcileOutcome {
  adopted: number;
  started?: RunRequest['kind'];
  observedGeneration?: number;
}

/** Whether the spec's origin asks for something else than the serving release was made from. */
export function originChanged(app: App, release: Release | undefined): boolean {
  const origin = app.spec.origin;
  if (!origin || origin.kind === 'path') return false;
  if (!release) return true;
  if (origin.kind === 'container') return release.image !== origin.image;
  const source = app.status.source;
  if (!source || source.url !== origin.url || (source.subdir ?? '') !== (origin.subdir ?? '')) return true;
  const wanted = origin.revision ?? origin.branch;
  if (!wanted) return false;
  return wanted !== release.branch && wanted !== release.revision && !(release.revision?.startsWith(wanted) ?? false);
}

/** The run a spec change calls for, or undefined when none does. */
export function runForSpec(app: App): RunRequest | undefined {
  const release = app.status.release;
  const origin = app.spec.origin;
  if (originChanged(app, release) && (origin?.kind === 'git' || origin?.kind === 'container')) return { kind: 'deploy' };
  return release ? { kind: 'redeploy' } : undefined;
}

/** Whether an App needs the leader's attention: a spec not acted on yet, or a run waiting to be executed. */
export function needsReconcile(app: App): boolean {
  if (app.metadata.generation > (app.status.observedGeneration ?? 0)) return true;
  return app.status.run?.phase === 'pending' || (app.status.runs ?? []).some((r) => r.phase === 'pending');
}

/** Reconciles `namespace/name`; a missing App is nothing to do (Kubernetes collects what it owned). */
export async function reconcileApp(deps: Pick<PipelineDeps, 'store' | 'logger'>, runner: Pick<Runner, 'adopt' | 'start'>, namespace: string, name: string): Promise<ReconcileOutcome> {
  const app = await deps.store.getApp(namespace, name);
  if (!app) return { adopted: 0 };
  const outcome: ReconcileOutcome = { adopted: 0 };
  const runs = [...(app.status.runs ?? []), ...(app.status.run ? [app.status.run] : [])];
  const pending = [...new Map(runs.filter((r) => r.phase === 'pending').map((r) => [r.id, r])).values()]
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const run of pending) if (await runner.adopt(namespace, name, run)) outcome.adopted += 1;

  const generation = app.metadata.generation;
  if (generation <= (app.status.observedGeneration ?? 0)) return outcome;
  const askedAt = Math.max(0, ...runs.map((r) => r.generation ?? 0));
  const request = askedAt < generation ? runForSpec(app) : undefined;
  if (request) {
    try {
      await runner.start(namespace, name, request);
      outcome.started = request.kind;
    } catch (error) {
      // A spec that cannot run (say, no source yet) is still observed: the next push runs it.
      const message = isSlipwayError(error) ? error.message : String(error);
      deps.logger.info({ namespace, app: name, generation, reason: redact(message) }, 'spec change needs no run yet');
    }
  }
  await deps.store.updateApp(namespace, name, (current) => ({
    ...current, status: { ...current.status, observedGeneration: Math.max(current.status.observedGeneration ?? 0, generation) },
  }));
  outcome.observedGeneration = generation;
  return outcome;
}
