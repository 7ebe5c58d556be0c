/**
 * What an Epinio deploy body asks of the app beyond the run: a builder image
 * (`builderimage`, `epinio push --builder-image`) and, for `epinio push --container-image-url`,
 * a container origin. Epinio keeps both on the app; so does Slipway, in the spec, and
 * only when they change (a spec write is a new generation).
 */
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { Origin } from '../../../core/types.ts';

/** The parts of an Epinio deploy body that change the app. */
export interface EpinioBuild {
  builder?: string;
  image?: string;
  origin?: Origin;
  blobuid?: string;
}

/** Writes the builder and a container origin onto the app's spec when they differ from it. */
export async function applyEpinioBuild(store: StateStore, namespace: string, app: string, build: EpinioBuild): Promise<void> {
  const image = build.origin?.kind === 'container' ? build.origin.image : build.blobuid ? undefined : build.image;
  const current = (await store.getApp(namespace, app))?.spec;
  if (!current) return;
  const builderChanges = !!build.builder && build.builder !== current.builder;
  const originChanges = !!image && !(current.origin?.kind === 'container' && current.origin.image === image);
  if (!builderChanges && !originChanges) return;
  await store.updateApp(namespace, app, (existing) => ({
    ...existing,
    spec: {
      ...existing.spec,
      ...(builderChanges ? { builder: build.builder } : {}),
      ...(originChanges && image ? { origin: { kind: 'container', image } } : {}),
    },
  }));
}
