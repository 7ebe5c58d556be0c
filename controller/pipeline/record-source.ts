import type { StateStore } from '../../core/ports/state-store.ts';
import type { App, Origin, SourceRecord } from '../../core/types.ts';
import { withoutUndefined } from '../../core/without-undefined.ts';

/**
 * Records a stored source on the app: `status.source` points at it and `spec.origin`
 * says where it came from (left alone when `origin` is undefined). Written after the blob is safely stored, so the app never
 * points at a blob that does not exist.
 */
export function recordSource(store: StateStore, namespace: string, app: string, source: SourceRecord, origin: Origin | undefined): Promise<App> {
  return store.updateApp(namespace, app, (current) => {
    if (!origin) return { ...current, status: { ...current.status, source } };
    const keepGitSettings = current.spec.origin?.kind === 'git' && origin.kind === 'git'
      ? { watch: current.spec.origin.watch, interval: current.spec.origin.interval }
      : {};
    const merged = withoutUndefined({ ...keepGitSettings, ...withoutUndefined(origin) } as Origin);
    return { ...current, spec: { ...current.spec, origin: merged }, status: { ...current.status, source } };
  });
}
