/**
 * The embedded default state store: one JSON file per namespace and per app under a
 * folder, each written atomically. Layout:
 *   <dir>/namespaces/<ns>/namespace.json
 *   <dir>/namespaces/<ns>/apps/<app>.json
 * Names are validated before they become paths, so no name can leave the folder.
 *
 * A file that does not parse is moved aside (`<app>.json.corrupt`) and the app is
 * listed as needing attention (Ready=False, reason StateCorrupt) until its owner
 * restores the file or deletes the app; the other apps carry on. A write that meets a
 * full or read-only disk fails as `storage_full` / `storage_read_only`.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { StateStore } from '../../../core/ports/state-store.ts';
import type { App, Namespace } from '../../../core/types.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { assertName, nameProblem } from '../../../core/names.ts';
import { appExists, appNotFound, namespaceExists, namespaceNotFound, stateCorrupt, storageError } from '../../../core/error-cases.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { createKeyLock } from './key-lock.ts';
import { corruptName, readStateFile } from './read-state-file.ts';
import { corruptApp, isCorruptApp } from './corrupt-app.ts';

/** Options for {@link createFileStateStore}. */
export interface FileStateStoreOptions {
  dir: string;
  clock: Clock;
  /** Where files moved aside are reported. */
  logger?: Logger;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNamespace = (v: unknown): v is Namespace => isObject(v) && typeof v.name === 'string';
const isApp = (v: unknown): v is App => isObject(v) && isObject(v.metadata) && isObject(v.spec) && isObject(v.status);

/** Creates a {@link StateStore} kept in JSON files under `dir`. */
export function createFileStateStore({ dir, clock, logger }: FileStateStoreOptions): StateStore {
  const withLock = createKeyLock();
  const nsDir = (ns: string) => join(dir, 'namespaces', assertName('namespace', ns));
  const nsFile = (ns: string) => join(nsDir(ns), 'namespace.json');
  const appFile = (ns: string, app: string) => join(nsDir(ns), 'apps', `${assertName('application', app)}.json`);
  let version = Date.now();
  const nextVersion = () => String(++version);

  /** Runs a write; a full or read-only disk becomes `storage_full` / `storage_read_only` naming the state folder. */
  async function writing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storageError(error, dir) ?? error;
    }
  }

  async function readNamespace(name: string): Promise<Namespace | undefined> {
    const found = await readStateFile(nsFile(name), isNamespace, logger);
    if (found.kind === 'found') return found.value;
    if (found.kind === 'missing') return undefined;
    // Only a name and a date: made again, so the namespace's apps stay reachable.
    const ns: Namespace = { name, createdAt: clock.now().toISOString() };
    await writing(() => writeFileAtomic(nsFile(name), JSON.stringify(ns, null, 2)));
    return ns;
  }

  async function requireNamespace(ns: string): Promise<Namespace> {
    const found = await readNamespace(ns);
    if (!found) throw namespaceNotFound(ns);
    return found;
  }

  /** The app, a stand-in for one whose file was moved aside, or undefined. */
  async function readApp(ns: string, name: string): Promise<App | undefined> {
    const file = appFile(ns, name);
    const found = await readStateFile(file, isApp, logger);
    if (found.kind === 'found') return found.value;
    try {
      const moved = await stat(corruptName(file));
      return corruptApp(ns, name, corruptName(file), moved);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Throws `state_corrupt` for a stand-in: nothing may write over a file its owner has to look at. */
  function assertWritable(app: App): App {
    if (isCorruptApp(app)) throw stateCorrupt(app.metadata.namespace, app.metadata.name, corruptName(appFile(app.metadata.namespace, app.metadata.name)));
    return app;
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
      const found = await Promise.all(names.filter((n) => !nameProblem(n)).sort().map((n) => readNamespace(n)));
      return found.filter((n): n is Namespace => n !== undefined);
    },
    getNamespace: async (name) => readNamespace(name),
    createNamespace: (name) => withLock(`ns/${name}`, async () => {
      if (await readNamespace(name)) throw namespaceExists(name);
      const ns: Namespace = { name, createdAt: clock.now().toISOString() };
      await writing(async () => {
        await mkdir(join(nsDir(name), 'apps'), { recursive: true });
        await writeFileAtomic(nsFile(name), JSON.stringify(ns, null, 2));
      });
      return ns;
    }),
    deleteNamespace: (name) => withLock(`ns/${name}`, async () => {
      await requireNamespace(name);
      // Rename first so a crash mid-delete never leaves a half-deleted namespace visible.
      const trash = join(dir, `.deleted-${name}-${Date.now()}`);
      await writing(async () => {
        await rename(nsDir(name), trash);
        await rm(trash, { recursive: true, force: true });
      });
    }),
    async listApps(ns) {
      await requireNamespace(ns);
      const files = await readdir(join(nsDir(ns), 'apps')).catch(() => [] as string[]);
      // An app whose file was moved aside is listed too, so that its owner notices it.
      const names = new Set(files.filter((f) => f.endsWith('.json') || f.endsWith('.json.corrupt')).map((f) => f.slice(0, f.indexOf('.json'))));
      // A stray file whose name is no app name is not an app (and must not fail the list).
      for (const n of names) if (nameProblem(n)) names.delete(n);
      const apps = await Promise.all([...names].sort().map((n) => readApp(ns, n)));
      return apps.filter((a): a is App => a !== undefined);
    },
    getApp: async (ns, name) => readApp(ns, name),
    createApp: (input) => withLock(`app/${input.metadata.namespace}/${input.metadata.name}`, async () => {
      const { namespace, name } = input.metadata;
      await requireNamespace(namespace);
      const existing = await readApp(namespace, name);
      if (existing) {
        assertWritable(existing);
        throw appExists(namespace, name);
      }
      const app: App = {
        metadata: { namespace, name, resourceVersion: nextVersion(), generation: 1, createdAt: clock.now().toISOString() },
        spec: input.spec,
        status: input.status ?? {},
      };
      await writing(() => writeFileAtomic(appFile(namespace, name), JSON.stringify(app, null, 2)));
      return app;
    }),
    updateApp: (ns, name, mutate) => withLock(`app/${ns}/${name}`, async () => {
      const found = await readApp(ns, name);
      if (!found) throw appNotFound(ns, name);
      const current = assertWritable(found);
      const next = await mutate(structuredClone(current));
      const generation = isDeepStrictEqual(next.spec, current.spec) ? current.metadata.generation : current.metadata.generation + 1;
      const app: App = { ...next, metadata: { ...current.metadata, resourceVersion: nextVersion(), generation } };
      await writing(() => writeFileAtomic(appFile(ns, name), JSON.stringify(app, null, 2)));
      return app;
    }),
    deleteApp: (ns, name) => withLock(`app/${ns}/${name}`, async () => {
      await requireNamespace(ns);
      if (!(await readApp(ns, name))) throw appNotFound(ns, name);
      // Deleting the app is its owner's answer to a file moved aside: that copy goes too.
      await writing(async () => {
        await rm(appFile(ns, name), { force: true });
        await rm(corruptName(appFile(ns, name)), { force: true });
      });
    }),
  };
  return store;
}
