/**
 * One step of the Secret sync: make one namespace hold an up-to-date copy of one
 * Secret of the release namespace, or drop Slipway's copy from it. A Secret of that
 * name that Slipway did not make (no `copied-from` annotation naming the source) is a
 * user's: it is never written or deleted, only reported back as `foreign`.
 */
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { COPIED_FROM } from '../runtime/stage/copy-system-secret.ts';
import { LABELS, MANAGED_BY } from '../labels.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';

/** What a step did. */
export type CopyOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'foreign';

/** True when `secret` is a copy Slipway made of `systemNamespace/name` (here or at stage time). */
export function isOurCopy(secret: V1Secret, systemNamespace: string, name: string): boolean {
  return secret.metadata?.annotations?.[COPIED_FROM] === `${systemNamespace}/${name}` && secret.metadata?.labels?.[LABELS.managedBy] === MANAGED_BY;
}

/** Path of Secret `name` in `namespace` (or of the namespace's Secrets). */
const secretPath = (namespace: string, name?: string) => resourcePath({ version: 'v1', namespace, plural: 'secrets', name });

async function readSecret(kc: KubeConfig, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await kubeRequest<V1Secret>(kc, { method: 'GET', path: secretPath(namespace, name) });
  } catch (error) {
    if (isKubeStatus(error, 404)) return undefined;
    throw fromKubeError(error, `reading Secret ${namespace}/${name}`);
  }
}

/** Writes (or keeps) the copy of `source` (a Secret of `systemNamespace`) in `namespace`. */
export async function putCopy(kc: KubeConfig, systemNamespace: string, namespace: string, source: V1Secret): Promise<CopyOutcome> {
  const name = source.metadata!.name!;
  const copy: V1Secret = {
    apiVersion: 'v1', kind: 'Secret',
    metadata: { name, namespace, labels: { [LABELS.managedBy]: MANAGED_BY }, annotations: { [COPIED_FROM]: `${systemNamespace}/${name}` } },
    type: source.type ?? 'Opaque',
    data: source.data ?? {},
  };
  const current = await readSecret(kc, namespace, name);
  try {
    if (!current) {
      await kubeRequest(kc, { method: 'POST', path: secretPath(namespace), body: copy });
      return 'created';
    }
    if (!isOurCopy(current, systemNamespace, name)) return 'foreign';
    if ((current.type ?? 'Opaque') !== copy.type) {
      // A Secret's type cannot change in place. The precondition keeps a Secret that was
      // replaced meanwhile (by a user, say), as in dropCopy.
      await kubeRequest(kc, { method: 'DELETE', path: secretPath(namespace, name), body: { preconditions: { uid: current.metadata?.uid, resourceVersion: current.metadata?.resourceVersion } } });
      await kubeRequest(kc, { method: 'POST', path: secretPath(namespace), body: copy });
      return 'updated';
    }
    if (sameData(current.data, copy.data)) return 'unchanged';
    await kubeRequest(kc, { method: 'PUT', path: secretPath(namespace, name), body: { ...copy, metadata: { ...copy.metadata, resourceVersion: current.metadata?.resourceVersion } } });
    return 'updated';
  } catch (error) {
    // 409: a stage of this namespace copied it at the same moment; the queue retries and compares again.
    throw fromKubeError(error, `copying Secret ${name} into namespace ${namespace}`);
  }
}

/** Deletes Slipway's copy of `systemNamespace/name` from `namespace`; a user's Secret of that name stays. */
export async function dropCopy(kc: KubeConfig, systemNamespace: string, namespace: string, name: string): Promise<CopyOutcome> {
  const current = await readSecret(kc, namespace, name);
  if (!current) return 'absent';
  if (!isOurCopy(current, systemNamespace, name)) return 'foreign';
  try {
    // The precondition keeps a Secret that was replaced meanwhile (by a user, say).
    await kubeRequest(kc, { method: 'DELETE', path: secretPath(namespace, name), body: { preconditions: { uid: current.metadata?.uid, resourceVersion: current.metadata?.resourceVersion } } });
  } catch (error) {
    if (isKubeStatus(error, 404)) return 'absent';
    throw fromKubeError(error, `deleting Secret ${namespace}/${name}`);
  }
  return 'deleted';
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
