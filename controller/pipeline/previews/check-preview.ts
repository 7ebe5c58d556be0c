/**
 * One check of one pull request of an app with previews (issue 15), run by the watcher
 * under the preview's own queue key, so a burst of deliveries for a pull request costs
 * one or two checks. Like a push, a delivery is a hint: the head is read from the
 * repository's pull request ref before anything is built, so a replayed or older
 * delivery never deploys an older commit. Closing deletes the preview with all it owns.
 */
import { isSlipwayError } from '../../../core/errors.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import type { GitSource } from '../../../core/ports/git-source.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import type { StateStore } from '../../../core/ports/state-store.ts';
import { previewName, pullRequestRef } from '../../../core/preview-name.ts';
import { DEFAULT_MAX_PREVIEWS, type App, type PreviewSettings } from '../../../core/types.ts';
import type { Runner } from '../create-runner.ts';
import type { PreviewNotifier } from './preview-notice.ts';
import { previewSpec, previewSpecChanged } from './preview-spec.ts';

/** What asked for the check. */
export interface PreviewRequest {
  action: 'open' | 'close';
  source: 'webhook' | 'poll';
  /** Webhook: the head comes from another repository. Poll: the head is no branch tip of the repository. */
  fork?: boolean;
  /** Which ref holds the head: `refs/pull/N/head` (GitHub, Gitea) or `refs/merge-requests/N/head` (GitLab). */
  style?: 'pull' | 'merge-requests';
  /** When the provider last changed the pull request. */
  updatedAt?: string;
}

/** What a check did. */
export type PreviewOutcome = 'ignored' | 'stale' | 'removed' | 'unchanged' | 'deploying' | 'refused' | 'conflict';

/** What {@link checkPreview} needs. */
export interface PreviewDeps {
  store: StateStore;
  git: Pick<GitSource, 'resolve'>;
  runner: Pick<Runner, 'start'>;
  clock: Clock;
  logger: Logger;
  /** Deletes an app with everything it owns (pipeline/delete-app.ts). */
  remove(namespace: string, name: string): Promise<void>;
  notifier?: PreviewNotifier;
  /** Whether `head` should be deployed on `app` (the watcher's rule, decide-deploy.ts). */
  due(app: App, head: string): boolean;
}

/** Closed pull requests remembered per parent. */
const MAX_CLOSED = 100;

/** The parent's preview settings when previews are on, else undefined. */
export function previewSettings(app: App | undefined): PreviewSettings | undefined {
  const origin = app?.spec.origin;
  return origin?.kind === 'git' && origin.previews?.enabled ? origin.previews : undefined;
}

/** The previews of `parent` among `apps`. */
export function previewsOf(apps: App[], parent: string): App[] {
  return apps.filter((app) => app.spec.preview?.parent === parent);
}

/** Checks pull request `number` of `parentName`: creates, redeploys, refuses or deletes its preview. */
export async function checkPreview(deps: PreviewDeps, namespace: string, parentName: string, number: number, request: PreviewRequest): Promise<PreviewOutcome> {
  const name = previewName(parentName, number);
  const log = deps.logger.child({ namespace, app: parentName, preview: name, number });
  const parent = await deps.store.getApp(namespace, parentName);
  const existing = await deps.store.getApp(namespace, name);
  if (existing && existing.spec.preview?.parent !== parentName) {
    log.warn('an app that is not this pull request\'s preview has its name: no preview');
    return 'conflict';
  }
  const settings = previewSettings(parent);
  if (!parent || !settings || parent.spec.origin?.kind !== 'git') {
    if (!existing) return 'ignored';
    await deps.remove(namespace, name);
    return 'removed';
  }
  const closedAt = parent.status.previews?.closed.find((c) => c.number === number)?.at;
  if (request.action === 'close') {
    // A close older than what the preview last acted on (a replay after a reopening) changes nothing.
    const seen = existing?.status.pullRequestUpdatedAt;
    if (seen && request.updatedAt && Date.parse(request.updatedAt) < Date.parse(seen)) return 'stale';
    await recordClosed(deps, namespace, parentName, number, request.updatedAt ?? deps.clock.now().toISOString());
    if (existing) {
      await deps.remove(namespace, name);
      log.info('pull request closed: preview deleted');
    }
    return existing ? 'removed' : 'ignored';
  }
  if (closedAt !== undefined && !existing) {
    // A poll cannot tell a closed pull request from an open one (its ref stays); an
    // opening delivery no newer than the close is a replay.
    if (request.source === 'poll' || !request.updatedAt || !(Date.parse(request.updatedAt) > Date.parse(closedAt))) return 'stale';
    await forgetClosed(deps, namespace, parentName, number);
  }

  const ref = existing?.spec.preview?.ref ?? pullRequestRef(request.style ?? 'pull', number);
  let head: string;
  try {
    head = (await deps.git.resolve(parent.spec.origin.url, ref)).sha;
  } catch (error) {
    if (!isSlipwayError(error) || error.code !== 'unknown_revision') throw error;
    // The pull request's ref is gone: so is the pull request.
    if (!existing) return 'ignored';
    await deps.remove(namespace, name);
    log.info({ ref }, 'pull request ref gone: preview deleted');
    return 'removed';
  }

  const fork = existing?.spec.preview?.fork ?? request.fork ?? true;
  if (fork && !settings.allowForks) {
    if (request.source === 'webhook') {
      await deps.notifier?.refused({ parent, preview: name, number, sha: head, reason: 'fork', message: 'Pull requests from forks get no preview (the app does not allow forks)' });
    }
    log.info('pull request from a fork: no preview (forks are not allowed)');
    return 'refused';
  }
  let app = existing;
  const wanted = previewSpec(parent, number, ref, fork);
  if (!app) {
    const max = settings.max ?? DEFAULT_MAX_PREVIEWS;
    const open = previewsOf(await deps.store.listApps(namespace), parentName).length;
    if (open >= max) {
      await deps.notifier?.refused({ parent, preview: name, number, sha: head, reason: 'limit', message: `No preview: ${parentName} already has ${open} open previews (at most ${max})` });
      log.info({ open, max }, 'preview limit reached: no preview');
      return 'refused';
    }
    app = await deps.store.createApp({ metadata: { namespace, name, resourceVersion: '', generation: 0, createdAt: '' }, spec: wanted });
    log.info({ head }, 'pull request opened: preview created');
  } else if (previewSpecChanged(app.spec, wanted)) {
    app = await deps.store.updateApp(namespace, name, (current) => ({ ...current, spec: { ...wanted, routes: current.spec.routes } }));
  }
  const updatedAt = request.updatedAt;
  if (updatedAt && !Number.isNaN(Date.parse(updatedAt)) && !(Date.parse(app.status.pullRequestUpdatedAt ?? '') >= Date.parse(updatedAt))) {
    app = await deps.store.updateApp(namespace, name, (current) => ({ ...current, status: { ...current.status, pullRequestUpdatedAt: updatedAt } }));
  }
  if (!deps.due(app, head)) return 'unchanged';
  const run = await deps.runner.start(namespace, name, { kind: 'deploy', revision: head });
  log.info({ head, run: run.id }, 'deploying the pull request head on its preview');
  return 'deploying';
}

async function recordClosed(deps: PreviewDeps, namespace: string, parent: string, number: number, at: string): Promise<void> {
  await deps.store.updateApp(namespace, parent, (app) => {
    const closed = [{ number, at }, ...(app.status.previews?.closed ?? []).filter((c) => c.number !== number)].slice(0, MAX_CLOSED);
    return { ...app, status: { ...app.status, previews: { closed } } };
  });
}

async function forgetClosed(deps: PreviewDeps, namespace: string, parent: string, number: number): Promise<void> {
  await deps.store.updateApp(namespace, parent, (app) => {
    const closed = (app.status.previews?.closed ?? []).filter((c) => c.number !== number);
    return { ...app, status: { ...app.status, previews: { closed } } };
  });
}
