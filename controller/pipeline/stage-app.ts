/**
 * Stage step: build a stored source into a release with the runtime. Keyed by a fresh
 * stage id; the build's output goes to the stage's log.
 */
import type { StageOutput } from '../../core/ports/runtime.ts';
import { nothingToDeploy } from '../../core/error-cases.ts';
import type { PipelineDeps } from './pipeline-deps.ts';
import { newStageId } from './new-stage-id.ts';
import { requireApp } from './lookup.ts';

/** One stage request; `blobuid` defaults to the app's latest stored source. */
export interface StageAppInput {
  namespace: string;
  app: string;
  blobuid?: string;
  stageId?: string;
  signal?: AbortSignal;
}

/** Stages the source and returns `{stageId, image}`; throws `stage_failed` with the build's last lines. */
export async function stageApp(deps: PipelineDeps, input: StageAppInput): Promise<StageOutput & { blobuid: string }> {
  const app = await requireApp(deps.store, input.namespace, input.app);
  const blobuid = input.blobuid ?? app.status.source?.blobuid;
  if (!blobuid) throw nothingToDeploy(input.app, 'has no stored source; push one first ("slipway push")');
  const stageId = input.stageId ?? newStageId(deps.clock.now());
  const work = deps.runtime.stage({
    namespace: input.namespace, app: input.app, stageId, blobuid, builder: app.spec.builder, env: app.spec.env,
    previousImage: app.status.release?.image, signal: input.signal,
  });
  const output = await deps.stages.track(input.namespace, input.app, stageId, work);
  return { ...output, blobuid };
}
