/** CustomResourceDefinitions: serve their resources, mark them Established, drop their objects on delete. */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { storageKey, type ResourceInfo, type ResourceTable } from './resources.ts';
import type { KubeObject, Store } from './store.ts';

const crdKey = 'apiextensions.k8s.io/customresourcedefinitions';

/** The parts of a CRD spec the fake reads. */
export type CrdSpec = {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { plural: string; singular?: string; kind: string; shortNames?: string[]; categories?: string[]; listKind?: string };
  versions: {
    name: string; served: boolean; storage: boolean;
    schema?: { openAPIV3Schema?: Record<string, unknown> };
    subresources?: { status?: object; scale?: object };
    additionalPrinterColumns?: ResourceInfo['printerColumns'];
  }[];
};

/** The resource table entries of a CRD: one per served version. */
export function crdResources(spec: CrdSpec): ResourceInfo[] {
  return spec.versions.filter((v) => v.served).map((v) => ({
    group: spec.group, version: v.name, plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(), kind: spec.names.kind,
    namespaced: spec.scope === 'Namespaced', shortNames: spec.names.shortNames ?? [],
    status: Boolean(v.subresources?.status), generation: true, extraSubresources: v.subresources?.scale ? ['scale'] : [],
    categories: spec.names.categories ?? [], schema: v.schema?.openAPIV3Schema, printerColumns: v.additionalPrinterColumns,
  }));
}

/** Keep the resource table in step with stored CRDs (the apiextensions controller's job). */
export function watchCrds(store: Store, table: ResourceTable): () => void {
  return store.subscribe((e) => {
    if (e.key !== crdKey) return;
    const spec = e.object.spec as CrdSpec;
    if (e.type === 'DELETED') {
      table.setCustom(spec.group, spec.names.plural, []);
      for (const o of store.list(storageKey({ group: spec.group, plural: spec.names.plural }))) {
        store.remove(storageKey({ group: spec.group, plural: spec.names.plural }), o.metadata.namespace, o.metadata.name!);
      }
      return;
    }
    table.setCustom(spec.group, spec.names.plural, crdResources(spec));
    const status = e.object.status as { conditions?: { type: string }[] } | undefined;
    if (status?.conditions?.some((c) => c.type === 'Established')) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const established: KubeObject = {
      ...e.object,
      status: {
        acceptedNames: { ...spec.names, listKind: spec.names.listKind ?? `${spec.names.kind}List`, singular: spec.names.singular ?? spec.names.kind.toLowerCase() },
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
        ],
        storedVersions: spec.versions.filter((v) => v.storage).map((v) => v.name),
      },
    };
    // Written after the current event has reached every listener, as a real controller would.
    queueMicrotask(() => {
      const live = store.get(crdKey, undefined, e.object.metadata.name!);
      if (live && live.metadata.uid === e.object.metadata.uid) store.put(crdKey, { ...live, status: established.status });
    });
  });
}

/** Every CustomResourceDefinition document in the YAML files at `paths`. */
export async function readCrdFiles(paths: string[]): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const path of paths) {
    for (const doc of parseAllDocuments(await readFile(path, 'utf8'))) {
      const o = doc.toJS() as KubeObject | null;
      if (o?.kind === 'CustomResourceDefinition') out.push(o);
    }
  }
  return out;
}
