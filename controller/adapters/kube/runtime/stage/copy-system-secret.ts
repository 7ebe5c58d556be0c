/**
 * Pods can only mount Secrets of their own namespace, so the registry and S3 Secrets
 * that live with Slipway (its system namespace) are copied into each app namespace
 * under the same name, and refreshed when the original changes (rotated credentials).
 */
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { stageFailed } from '../../../../../core/error-cases.ts';
import { MANAGED_BY, LABELS } from '../../labels.ts';
import { fromKubeError, isKubeStatus } from '../../kube-errors.ts';

/** Which Secret, and how a missing one is created (shown to the user). */
export interface SecretToCopy {
  name: string;
  /** The `kubectl create secret …` command that makes it, for the error message. */
  createCommand: string;
}

/** Annotation on a copy naming its original. */
export const COPIED_FROM = 'slipway.dev/copied-from';

/** Makes `namespace` hold an up-to-date copy of Secret `secret.name` of `systemNamespace`. */
export async function copySystemSecret(kc: KubeConfig, systemNamespace: string, namespace: string, secret: SecretToCopy): Promise<void> {
  if (namespace === systemNamespace) return;
  const core = kc.makeApiClient(CoreV1Api);
  const { name } = secret;
  let source: V1Secret;
  try {
    source = await core.readNamespacedSecret({ name, namespace: systemNamespace });
  } catch (error) {
    if (isKubeStatus(error, 404)) {
      throw stageFailed(`the Secret "${name}" is missing from namespace "${systemNamespace}", so the build cannot run; create it with: ${secret.createCommand}`);
    }
    throw fromKubeError(error, `reading Secret ${systemNamespace}/${name}`);
  }
  const copy: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [LABELS.managedBy]: MANAGED_BY }, annotations: { [COPIED_FROM]: `${systemNamespace}/${name}` } },
    ...(source.type ? { type: source.type } : {}),
    data: source.data ?? {},
  };
  let current: V1Secret | undefined;
  try {
    current = await core.readNamespacedSecret({ name, namespace });
  } catch (error) {
    if (!isKubeStatus(error, 404)) throw fromKubeError(error, `reading Secret ${namespace}/${name}`);
  }
  try {
    if (!current) {
      await core.createNamespacedSecret({ namespace, body: copy }).catch((error: unknown) => {
        // Another stage of this namespace copied it at the same moment.
        if (!isKubeStatus(error, 409)) throw error;
      });
    } else if ((current.type ?? 'Opaque') !== (source.type ?? 'Opaque')) {
      // A Secret's type cannot change in place.
      await core.deleteNamespacedSecret({ name, namespace });
      await core.createNamespacedSecret({ namespace, body: copy });
    } else if (!sameData(current.data, source.data)) {
      await core.replaceNamespacedSecret({ name, namespace, body: { ...copy, metadata: { ...copy.metadata, resourceVersion: current.metadata?.resourceVersion } } });
    }
  } catch (error) {
    throw fromKubeError(error, `copying Secret ${name} into namespace ${namespace}`);
  }
}

/** True when both hold the same keys and values. */
function sameData(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const left = a ?? {};
  const right = b ?? {};
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => left[key] === right[key]);
}
