/** Container logs: stored lines per pod container, served by pods/log with tailLines, timestamps and follow. */
import type { ServerResponse } from 'node:http';
import { badRequest, notFound } from './status.ts';
import type { KubeObject, Store } from './store.ts';

type Line = { time: string; text: string };
type ContainerStatus = { name: string; state?: { waiting?: { reason?: string }; terminated?: unknown; running?: unknown }; lastState?: { terminated?: unknown } };

/** Log storage and the pods/log handler. */
export type Logs = ReturnType<typeof createLogs>;

const podKey = '/pods';

function statuses(pod: KubeObject): ContainerStatus[] {
  const status = (pod.status ?? {}) as { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
  return [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
}

function containerNames(pod: KubeObject): { init: string[]; main: string[] } {
  const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[] };
  return { init: (spec.initContainers ?? []).map((c) => c.name), main: (spec.containers ?? []).map((c) => c.name) };
}

/** Create the log store over `store` (pods are read from it; a deleted pod ends its follow streams). */
export function createLogs(store: Store) {
  const lines = new Map<string, Line[]>();
  const followers = new Map<string, Set<(line: Line | undefined) => void>>();
  const id = (ns: string, pod: string, container: string) => `${ns}/${pod}/${container}`;

  const notify = (key: string, line: Line | undefined) => {
    for (const f of followers.get(key) ?? []) f(line);
  };
  // End follow streams when their container terminates or their pod goes away.
  store.subscribe((e) => {
    if (e.key !== podKey) return;
    const { namespace = '', name = '' } = e.object.metadata;
    const names = containerNames(e.object);
    for (const c of [...names.init, ...names.main]) {
      const s = statuses(e.object).find((x) => x.name === c);
      if (e.type === 'DELETED' || s?.state?.terminated) notify(id(namespace, name, c), undefined);
    }
    if (e.type === 'DELETED') for (const c of [...names.init, ...names.main]) lines.delete(id(namespace, name, c));
  });

  return {
    /** Append lines to a container's log (they reach follow streams at once). */
    append(ns: string, pod: string, container: string, text: string[]): void {
      const key = id(ns, pod, container);
      const list = lines.get(key) ?? [];
      lines.set(key, list);
      for (const t of text) {
        const line = { time: new Date().toISOString(), text: t };
        list.push(line);
        notify(key, line);
      }
    },
    /** The lines of a container so far. */
    read: (ns: string, pod: string, container: string): string[] => (lines.get(id(ns, pod, container)) ?? []).map((l) => l.text),

    /** GET /api/v1/namespaces/NS/pods/NAME/log */
    serve(ns: string, podName: string, query: URLSearchParams, res: ServerResponse): void {
      const pod = store.get(podKey, ns, podName);
      if (!pod) throw notFound({ group: '', kind: 'Pod', plural: 'pods', name: podName });
      const names = containerNames(pod);
      let container = query.get('container') ?? undefined;
      if (!container) {
        if (names.main.length !== 1) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.main.join(' ')}] or one of the init containers: [${names.init.join(' ')}]`);
        container = names.main[0]!;
      }
      if (![...names.init, ...names.main].includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
      const status = statuses(pod).find((s) => s.name === container);
      // `previous=true`: the last terminated run (a crash-looping container's); the fake keeps one log per container, so that is it.
      const previous = query.get('previous') === 'true';
      if (previous && !status?.lastState?.terminated) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      const state = previous ? { terminated: status!.lastState!.terminated } : status?.state;
      if (!state || state.waiting) {
        throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${state?.waiting?.reason ?? 'ContainerCreating'}`);
      }
      const key = id(ns, podName, container);
      const stamps = query.get('timestamps') === 'true';
      const format = (l: Line) => `${stamps ? l.time.replace('Z', '000000Z') + ' ' : ''}${l.text}\n`;
      let existing = lines.get(key) ?? [];
      const tail = query.get('tailLines');
      if (tail !== null && Number(tail) >= 0) existing = Number(tail) === 0 ? [] : existing.slice(-Number(tail));
      res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      for (const l of existing) res.write(format(l));
      if (query.get('follow') !== 'true' || state.terminated) {
        res.end();
        return;
      }
      const set = followers.get(key) ?? new Set();
      followers.set(key, set);
      const follower = (line: Line | undefined) => {
        if (line) res.write(format(line));
        else stop();
      };
      const stop = () => {
        set.delete(follower);
        if (!res.writableEnded) res.end();
      };
      set.add(follower);
      res.on('close', stop);
    },
  };
}
