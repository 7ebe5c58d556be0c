/**
 * Preview apps wired together (issue 15): the checks the watcher runs per pull request,
 * the poll's plan, and deletion with everything a preview owns. Built by the
 * composition root and handed to the watcher and the API.
 */
import type { App } from '../../../core/types.ts';
import type { SecretStore } from '../../../core/ports/secret-store.ts';
import type { PipelineDeps } from '../pipeline-deps.ts';
import type { Runner } from '../create-runner.ts';
import { deleteApp } from '../delete-app.ts';
import { checkPreview, type PreviewRequest } from './check-preview.ts';
import { planPreviewPoll } from './plan-preview-poll.ts';
import type { PreviewNotifier } from './preview-notice.ts';

/** What {@link createPreviews} needs. */
export interface PreviewsDeps {
  pipeline: PipelineDeps;
  runner: Pick<Runner, 'start' | 'cancel'>;
  secrets: Pick<SecretStore, 'deleteSecrets'>;
  notifier?: PreviewNotifier;
}

/** Creates the previews part. */
export function createPreviews(deps: PreviewsDeps) {
  const { store, blobs, runtime, git, clock, logger } = deps.pipeline;
  const remove = (namespace: string, name: string) => deleteApp({ store, blobs, runtime, secrets: deps.secrets, runner: deps.runner }, namespace, name);
  // The checks of one parent's pull requests run one at a time, so two pull requests
  // opened together cannot both pass the limit (each counts the previews, then creates).
  const lanes = new Map<string, Promise<unknown>>();
  function inLane<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (lanes.get(key) ?? Promise.resolve()).then(work, work);
    const settled = result.catch(() => {});
    lanes.set(key, settled);
    void settled.then(() => { if (lanes.get(key) === settled) lanes.delete(key); });
    return result;
  }
  const log = logger.child({ component: 'previews' });
  return {
    /** One check of pull request `number` of `parent` (the watcher runs it under the preview's queue key). */
    check: (namespace: string, parent: string, number: number, request: PreviewRequest, due: (app: App, head: string) => boolean) =>
      inLane(`${namespace}/${parent}`, () => checkPreview({ store, git, runner: deps.runner, clock, logger: log, remove, notifier: deps.notifier, due }, namespace, parent, number, request)),
    /** The checks a poll of `app` asks for. */
    plan: (app: App) => planPreviewPoll(git, app, () => store.listApps(app.metadata.namespace)),
  };
}

/** The previews part's type. */
export type Previews = ReturnType<typeof createPreviews>;
