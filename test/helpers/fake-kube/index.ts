/**
 * An in-process fake of the Kubernetes REST API on 127.0.0.1, for client-node and kubectl.
 * Contract: /work/notes/fake-kube-api.md. Known differences from kube-apiserver: README.md next to this file.
 */
import { cloneJson } from './json-clone.ts';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { readCrdFiles, watchCrds } from './crds.ts';
import { createFaults, type Faults, type RecordedRequest } from './faults.ts';
import { kubeConfigFor, writeKubeconfigFile } from './kubeconfig.ts';
import { createLogs } from './logs.ts';
import { createObjects } from './objects.ts';
import { createResourceTable, groupVersion, storageKey } from './resources.ts';
import { createKubeServer } from './server.ts';
import { createStore, type KubeObject } from './store.ts';
import { createValidator } from './validate.ts';
import { createWatchRegistry } from './watch.ts';
import { labelSelector } from './selectors.ts';
import { createJobController, type JobControls } from './controllers/jobs.ts';
import { createDeploymentController, type DeploymentControls } from './controllers/deployments.ts';

export type { KubeObject } from './store.ts';
export type { RecordedRequest, Faults } from './faults.ts';

/** Options of {@link startFakeKube}. */
export type FakeKubeOptions = {
  /** CRD YAML files installed at start. */
  crds?: string[];
  /** What happens to a Job right after it is created (default 'manual': tests call `jobs.complete`/`jobs.fail`). */
  autoJobs?: 'complete' | 'fail' | 'manual';
  /** Deployments get ready pods and an available status on their own (default true). */
  autoRollout?: boolean;
  /**
   * Lists honour `limit` and `continue`, as kube-apiserver does (default false: one
   * page, the documented behaviour the tests rely on). Benchmarks with thousands of
   * objects turn it on, so a client's list does not become one giant answer.
   */
  paging?: boolean;
};

/** A running fake API server. */
export type FakeKube = {
  url: string;
  kubeConfig(): KubeConfig;
  writeKubeconfig(dir: string): Promise<string>;
  objects(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  object(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  seed(object: KubeObject): Promise<KubeObject>;
  requests: RecordedRequest[];
  rejections: { path: string; reason: string }[];
  waitFor<T>(predicate: () => T, opts?: { timeoutMs?: number }): Promise<NonNullable<T>>;
  jobs: JobControls;
  deployments: DeploymentControls;
  pods: {
    appendLog(ns: string, pod: string, container: string, lines: string[]): void;
    list(ns: string, labelSelector?: string): KubeObject[];
  };
  faults: Faults;
  close(): Promise<void>;
};

/** Start the fake on a free port of 127.0.0.1, with the `default` namespace and the given CRDs. */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const store = createStore();
  const table = createResourceTable();
  const requests: RecordedRequest[] = [];
  const rejections: { path: string; reason: string }[] = [];
  const validator = await createValidator(table);
  const objects = createObjects({ store, table, validate: validator, onReject: (path, reason) => rejections.push({ path, reason }) });
  const logs = createLogs(store);
  const watches = createWatchRegistry();
  const faults = createFaults({ dropWatches: () => watches.dropAll(), compact: () => store.compact() });
  const stopCrds = watchCrds(store, table);
  const jobs = createJobController({ store, logs, mode: options.autoJobs ?? 'manual' });
  const deployments = createDeploymentController({ store, auto: options.autoRollout ?? true });
  const resource = (apiVersion: string, kind: string) => {
    const r = table.byKind(apiVersion, kind);
    if (!r) throw new Error(`fake-kube does not serve ${apiVersion} ${kind}`);
    return r;
  };

  for (const ns of ['default', 'kube-system', 'kube-public']) objects.create(resource('v1', 'Namespace'), undefined, { metadata: { name: ns } });
  for (const crd of await readCrdFiles(options.crds ?? [])) objects.create(resource('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), undefined, crd);

  const server = createKubeServer({ store, table, objects, logs, watches, faults, requests, paging: options.paging });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    kubeConfig: () => kubeConfigFor(url),
    writeKubeconfig: (dir) => writeKubeconfigFile(url, dir),
    objects: (apiVersion, kind, namespace) => {
      const r = resource(apiVersion, kind);
      return store.list(storageKey(r), namespace).map((o) => ({ ...o, apiVersion: groupVersion(r) }));
    },
    object: (apiVersion, kind, namespace, name) => {
      const r = resource(apiVersion, kind);
      const o = store.get(storageKey(r), r.namespaced ? namespace : undefined, name);
      return o && { ...o, apiVersion: groupVersion(r) };
    },
    seed: async (object) => {
      const r = resource(object.apiVersion ?? '', object.kind ?? '');
      const live = store.get(storageKey(r), object.metadata.namespace, object.metadata.name!);
      const o = cloneJson(object);
      o.metadata = { uid: live?.metadata.uid ?? crypto.randomUUID(), creationTimestamp: live?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...o.metadata };
      if (r.generation) o.metadata.generation ??= live?.metadata.generation ?? 1;
      return store.put(storageKey(r), o);
    },
    requests,
    rejections,
    waitFor: (predicate, opts = {}) => waitFor(store, predicate, opts.timeoutMs ?? 5000),
    jobs,
    deployments,
    pods: {
      appendLog: (ns, pod, container, lines) => logs.append(ns, pod, container, lines),
      list: (ns, selector) => store.list('/pods', ns, labelSelector(selector)),
    },
    faults: faults.faults,
    close: async () => {
      stopCrds();
      jobs.stop();
      deployments.stop();
      watches.dropAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function waitFor<T>(store: ReturnType<typeof createStore>, predicate: () => T, timeoutMs: number): Promise<NonNullable<T>> {
  return new Promise((resolve, reject) => {
    let done = false;
    const attempt = (): boolean => {
      if (done) return true;
      const v = predicate();
      if (!v) return false;
      cleanup();
      resolve(v as NonNullable<T>);
      return true;
    };
    const unsubscribe = store.subscribe(() => void queueMicrotask(attempt));
    const poll = setInterval(attempt, 20);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`fake-kube waitFor: condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => { done = true; unsubscribe(); clearInterval(poll); clearTimeout(timer); };
    attempt();
  });
}
