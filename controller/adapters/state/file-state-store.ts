/**
 * The embedded default state store: one JSON file per namespace and per app under a
 * folder, each written atomically. Layout:
 *   <dir>/namespaces/<ns>/namespace.json
 *   <dir>/namespaces/<ns>/apps/<app>.json
 * Names are validated before they become paths, so no name can leave the folder.
 */
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { App, Namespace } from '../../../core/types.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import { assertName } from '../../../core/names.ts';
import { appExists, appNotFound, namespaceExists, namespaceNotFound } from '../../../core/error-cases.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { createKeyLock } from './key-lock.ts';

/** Options for {@link createFileStateStore}. */
export interface FileStateStoreOptions {
  dir: string;
  clock: Clock;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates a {@link StateStore} kept in JSON files under `dir`. */
export function createFileStateStore({ dir, clock }: FileStateStoreOptions): StateStore {
  const withLock = createKeyLock();
  const nsDir = (ns: string) => join(dir, 'namespaces', assertName('namespace', ns));
  const nsFile = (ns: string) => join(nsDir(ns), 'namespace.json');
  const appFile = (ns: string, app: string) => join(nsDir(ns), 'apps', `${assertName('application', app)}.json`);
  let version = Date.now();
  const nextVersion = () => String(++version);

  async function requireNamespace(ns: string): Promise<Namespace> {
    const found = await readJson<Namespace>(nsFile(ns));
    if (!found) throw namespaceNotFound(ns);
    return found;
  }

  const store: StateStore = {
    async listNamespaces() {
      let names: string[];
      try {
        names = await readdir(join(dir, 'namespaces'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const found = await Promise.all(names.sort().map((n) => readJson<Namespace>(join(dir, 'namespaces', n, 'namespace.json'))));
      return found.filter((n): n is Namespace => n !== undefined);
    },
    getNamespace: async (name) => readJson<Namespace>(nsFile(name)),
    createNamespace: (name) => withLock(`ns/${name}`, async () => {
      if (await readJson(nsFile(name))) throw namespaceExists(name);
      const ns: Namespace = { name, createdAt: clock.now().toISOString() };
      await mkdir(join(nsDir(name), 'apps'), { recursive: true });
      await writeFileAtomic(nsFile(name), JSON.stringify(ns, null, 2));
      return ns;
    }),
    deleteNamespace: (name) => withLock(`ns/${name}`, async () => {
      await requireNamespace(name);
      // Rename first so a crash mid-delete never leaves a half-deleted namespace visible.
      const trash = join(dir, `.deleted-${name}-${Date.now()}`);
      await rename(nsDir(name), trash);
      await rm(trash, { recursive: true, force: true });
    }),
    async listApps(ns) {
      await requireNamespace(ns);
      const files = (await readdir(join(nsDir(ns), 'apps')).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
      const apps = await Promise.all(files.map((f) => readJson<App>(join(nsDir(ns), 'apps', f))));
      return apps.filter((a): a is App => a !== undefined);
    },
    getApp: async (ns, name) => readJson<App>(appFile(ns, name)),
    createApp: (input) => withLock(`app/${input.metadata.namespace}/${input.metadata.name}`, async () => {
      const { namespace, name } = input.metadata;
      await requireNamespace(namespace);
      if (await readJson(appFile(namespace, name))) throw appExists(namespace, name);
      const app: App = {
        metadata: { namespace, name, resourceVersion: nextVersion(), generation: 1, createdAt: clock.now().toISOString() },
        spec: input.spec,
        status: input.status ?? {},
      };
      await writeFileAtomic(appFile(namespace, name), JSON.stringify(app, null, 2));
      return app;
    }),
    updateApp: (ns, name, mutate) => withLock(`app/${ns}/${name}`, async () => {
      const current = await readJson<App>(appFile(ns, name));
      if (!current) throw appNotFound(ns, name);
      const next = await mutate(structuredClone(current));
      const generation = isDeepStrictEqual(next.spec, current.spec) ? current.metadata.generation : current.metadata.generation + 1;
      const app: App = { ...next, metadata: { ...current.metadata, resourceVersion: nextVersion(), generation } };
      await writeFileAtomic(appFile(ns, name), JSON.stringify(app, null, 2));
      return app;
    }),
    deleteApp: (ns, name) => withLock(`app/${ns}/${name}`, async () => {
      await requireNamespace(ns);
      if (!(await readJson(appFile(ns, name)))) throw appNotFound(ns, name);
      await rm(appFile(ns, name));
    }),
  };
  return store;
}
