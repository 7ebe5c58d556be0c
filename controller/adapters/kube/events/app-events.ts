/**
 * Kubernetes Events on the App for how its runs end, so `kubectl describe app NAME`
 * tells the story (Deployed, Failed, Superseded, Interrupted) without Slipway's API:
 * one Event per run, not one per phase (issue 12: each is a request to the API server;
 * the phase a run is in shows on the App's status). A run
 * observer (create-runner.ts): a failure to record is logged, never a run's failure.
 * Rate-limited per app — a burst of pushes or a flapping app cannot flood the API
 * server, which keeps Events for an hour by default.
 */
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../../core/ports/logger.ts';
import type { Run } from '../../../../core/types.ts';
import { redact } from '../../../../core/redact.ts';
import { appOwnerReference } from '../owner-reference.ts';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';

/** Options of {@link createAppEvents}. */
export interface AppEventsOptions {
  kc: KubeConfig;
  logger: Logger;
  /** Who reports (`source.component`, `reportingController`) and which replica (`reportingInstance`). */
  instance: string;
  /** Events per app per window, and the window (default 10 per minute). */
  burst?: number;
  windowMs?: number;
  now?: () => Date;
}

/** What a run's outcome says, or undefined for a run still under way (no Event). */
function describe(run: Run): { type: 'Normal' | 'Warning'; reason: string; message: string } | undefined {
  const id = run.id.slice(0, 8);
  const what = run.kind === 'rollback' ? `rollback to release ${run.release}` : `deployment ${id}`;
  switch (run.phase) {
    case 'succeeded': {
      const built = [run.stageId && `stage ${run.stageId}`, run.revision && `revision ${run.revision.slice(0, 12)}`, run.image && `image ${run.image}`].filter(Boolean).join(', ');
      return { type: 'Normal', reason: 'Deployed', message: `${what}: release ${run.release ?? '?'} serves${built ? ` (${built})` : ''}` };
    }
    case 'failed': {
      const code = run.error?.code ?? 'internal';
      // Superseded runs are the coalescing queue at work, not a problem.
      if (code === 'superseded') return { type: 'Normal', reason: 'Superseded', message: `${what}: ${redact(run.error?.message ?? 'superseded')}` };
      return { type: 'Warning', reason: code === 'interrupted' ? 'Interrupted' : 'Failed', message: `${what} failed (${code}): ${redact(run.error?.message ?? '')}` };
    }
    default: return undefined;
  }
}

/** Creates the recorder; `observeRun` is a RunObserver. */
export function createAppEvents(options: AppEventsOptions) {
  const burst = options.burst ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? (() => new Date());
  const sent = new Map<string, number[]>();

  /** True when the app may have one more Event now. */
  const allowed = (key: string): boolean => {
    const at = now().getTime();
    const recent = (sent.get(key) ?? []).filter((t) => at - t < windowMs);
    if (recent.length >= burst) {
      sent.set(key, recent);
      return false;
    }
    recent.push(at);
    sent.set(key, recent);
    return true;
  };

  return {
    async observeRun(namespace: string, app: string, run: Run): Promise<void> {
      const said = describe(run);
      if (!said) return;
      const key = `${namespace}/${app}`;
      if (!allowed(key)) {
        options.logger.debug({ namespace, app, reason: said.reason }, 'event not recorded: over the rate limit');
        return;
      }
      const owner = await appOwnerReference(options.kc, namespace, app);
      if (!owner) return;
      const time = now();
      const event: CoreV1Event = {
        metadata: { generateName: `${app}.`, namespace },
        involvedObject: { apiVersion: owner.apiVersion, kind: owner.kind, name: app, namespace, uid: owner.uid },
        type: said.type, reason: said.reason, message: said.message.slice(0, 1024),
        source: { component: 'slipway-controller' },
        reportingComponent: 'slipway.dev/controller', reportingInstance: options.instance,
        firstTimestamp: time, lastTimestamp: time, count: 1,
      };
      await kubeRequest(options.kc, { method: 'POST', path: resourcePath({ version: 'v1', namespace, plural: 'events' }), body: event });
    },
  };
}
