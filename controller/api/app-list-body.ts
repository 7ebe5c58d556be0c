/**
 * The JSON body of an app listing, made from per-app fragments kept between requests
 * (issue 12): serialising 1,000 Apps, and encoding that text as UTF-8 for the socket,
 * took most of a listing's time, though between two listings few of them change.
 * Fragments are kept encoded, so a listing only writes them out. A listing shows each
 * app's summary (`core/app-summary.ts`, ADR 0007: ~1 KiB where the whole App was ~11
 * KiB); `?history=full` asks for the whole Apps, made anew each time.
 */
import type { App, RuntimeState } from '../../core/types.ts';
import type { Runtime } from '../../core/ports/runtime.ts';
import { appSummary } from '../../core/app-summary.ts';
import { withoutUndefined } from '../../core/without-undefined.ts';

/** What a listing shows of each app: its summary (the default) or the whole App with its histories. */
export type ListHistory = 'summary' | 'full';

/** What `withListStatus` shows for `app` when the runtime's cached view is there: the App with its `status.runtime`. */
function cachedView(app: App, runtime: Runtime | undefined): { runtime: RuntimeState } | undefined {
  const cached = runtime?.cachedStatus?.(app.metadata.namespace, app.metadata.name);
  if (!cached) return undefined;
  const { stageId: _stageId, ...state } = cached;
  const restarts = app.status.runtime?.restarts ?? state.restarts;
  return { runtime: withoutUndefined({ ...state, restarts }) };
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/**
 * Makes `listBody(apps, history)`: the JSON array of `apps` as a listing shows them, in
 * UTF-8 chunks to write one after the other: the same text
 * `JSON.stringify((await Promise.all(apps.map(withListStatus))).map(appSummary))` gives
 * (without `.map(appSummary)` for `full`). Each app's summary is kept by the App object
 * and the runtime view it was made with: the state store hands out the same App object
 * for as long as its resource is unchanged (a cached resource is replaced, never
 * changed, on each watch event), and a changed runtime view makes the fragment anew.
 * Whole Apps (`full`) are not kept: they are what the summary saves memory on, and only
 * scripts that ask for them pay for them. Apps without a cached runtime view ask the
 * runtime (`live`) and are not kept.
 */
export function createAppListBody(runtime: Runtime | undefined, live: (app: App) => Promise<App>): (apps: App[], history?: ListHistory) => Promise<Buffer[]> {
  const kept = new WeakMap<App, { view: string; json: Buffer }>();
  const fragment = (app: App, history: ListHistory): Buffer | Promise<Buffer> => {
    const shown = (a: App) => JSON.stringify(history === 'full' ? a : appSummary(a));
    const make = history === 'full' ? (_app: App, _view: string, json: () => string) => Buffer.from(json()) : remember;
    if (!app.status.release) return make(app, '', () => shown(app));
    const view = cachedView(app, runtime);
    if (!view) return live(app).then((a) => Buffer.from(shown(a)));
    return make(app, JSON.stringify(view.runtime), () => shown({ ...app, status: { ...app.status, runtime: view.runtime } }));
  };
  const remember = (app: App, view: string, make: () => string): Buffer => {
    const found = kept.get(app);
    if (found?.view === view) return found.json;
    const json = Buffer.from(make());
    kept.set(app, { view, json });
    return json;
  };
  return async (apps, history = 'summary') => {
    const parts = apps.map((app) => fragment(app, history));
    // Only apps without a cached view wait; the others are encoded already.
    const done = parts.some((p) => !Buffer.isBuffer(p)) ? await Promise.all(parts) : (parts as Buffer[]);
    const chunks: Buffer[] = [OPEN];
    done.forEach((json, i) => chunks.push(...(i ? [COMMA, json] : [json])));
    chunks.push(CLOSE);
    return chunks;
  };
}
