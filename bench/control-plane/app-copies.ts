/**
 * Copies of an App (and of its Deployment) as Slipway's API left them in the fake, to
 * seed a cluster with many Apps that look real: the same spec, status, release history,
 * runs and managedFields, with the app's name and its ids (run ids, blob ids, stage
 * ids) made distinct per copy, so no two copies share a string a real cluster would
 * not share. Each copy's spec is observed and no run is pending: the controller has
 * nothing to do.
 */
import type { KubeObject } from '../../test/helpers/fake-kube/index.ts';

type Run = { id?: string; phase?: string; blobuid?: string; stageId?: string };
type AppStatus = { observedGeneration?: number; conditions?: { observedGeneration?: number }[]; run?: Run; runs?: Run[]; releases?: Run[]; release?: Run; source?: Run };

/** The ids in an App's status that differ between apps in a real cluster. */
function idsOf(status: AppStatus): string[] {
  const ids = new Set<string>();
  const records = [status.run, status.release, status.source, ...(status.runs ?? []), ...(status.releases ?? [])];
  for (const r of records) for (const v of [r?.id, r?.blobuid, r?.stageId]) if (v && v.length > 8) ids.add(v);
  return [...ids];
}

/** Builds copies of `template` (an App named `templateName`) and of its Deployment. */
export function createAppCopier(template: KubeObject, templateName: string) {
  const status = template.status as AppStatus;
  const pending = [status.run, ...(status.runs ?? [])].filter((r) => r?.phase !== 'succeeded' && r?.phase !== 'failed');
  if (pending.length > 0) throw new Error(`the template App has runs not finished: ${JSON.stringify(pending)}`);
  // One pass over the JSON for all ids (10,000 copies × dozens of ids made seeding slow);
  // longest first, and ids holding the template's name are gone once it is renamed.
  const ids = idsOf(status).filter((id) => !id.includes(templateName)).sort((a, b) => b.length - a.length);
  const idPattern = ids.length > 0 ? new RegExp(ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;

  /** The JSON of `object` with the template's name and ids made those of copy `index`. */
  const rename = (object: KubeObject, name: string, index: number): KubeObject => {
    let json = JSON.stringify(object).split(templateName).join(name);
    const suffix = index.toString(16).padStart(4, '0');
    if (idPattern) json = json.replace(idPattern, (id) => `${id.slice(0, -4)}${suffix}`);
    const copy = JSON.parse(json) as KubeObject;
    // The fake gives each seeded object its own uid and timestamps.
    delete copy.metadata.uid;
    delete copy.metadata.resourceVersion;
    delete copy.metadata.creationTimestamp;
    return copy;
  };

  return {
    /** Bytes of the template App's JSON, as the API serves it (managedFields included). */
    bytes: Buffer.byteLength(JSON.stringify(template)),
    runs: status.runs?.length ?? 0,
    releases: status.releases?.length ?? 0,
    /** App `name`, copy `index`: status observed at its generation, no run pending. */
    app(name: string, index: number): KubeObject {
      const copy = rename(template, name, index);
      const generation = copy.metadata.generation ?? 1;
      const copied = copy.status as AppStatus;
      copied.observedGeneration = generation;
      for (const c of copied.conditions ?? []) c.observedGeneration = generation;
      return copy;
    },
    /** The Deployment of App `name` (uid `ownerUid`), from the template App's Deployment. */
    deployment(deployment: KubeObject, name: string, index: number, ownerUid: string): KubeObject {
      const copy = rename(deployment, name, index);
      delete copy.metadata.generation;
      for (const owner of copy.metadata.ownerReferences ?? []) owner.uid = ownerUid;
      return copy;
    },
  };
}
