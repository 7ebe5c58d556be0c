/**
 * Pods can only mount Secrets of their own namespace, so the registry and S3 Secrets
 * that live with Slipway (its system namespace) are copied into each app namespace
 * under the same name, and refreshed when the original changes (rotated credentials).
 * The Secret sync keeps them current between builds; this copy at stage time makes a
 * build independent of it. Both write through `putCopy`, which never touches a Secret
 * of that name that Slipway did not make.
 */
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { stageFailed } from '../../../../../core/error-cases.ts';
import { putCopy } from '../../secrets/sync-copy.ts';
import { fromKubeError, isKubeStatus } from '../../kube-errors.ts';
import { kubeRequest, resourcePath } from '../../control/kube-request.ts';
import { cacheLookups } from '../../cache/cache-lookups.ts';

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
  // Already current in the caches: nothing to read or write (a copy gone stale is put right by the Secret sync).
  if (cacheLookups(kc)?.copyIsCurrent(systemNamespace, namespace, secret.name)) return;
  const { name } = secret;
  let source: V1Secret;
  try {
    source = await kubeRequest<V1Secret>(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace: systemNamespace, plural: 'secrets', name }) });
  } catch (error) {
    if (isKubeStatus(error, 404)) {
      throw stageFailed(`the Secret "${name}" is missing from namespace "${systemNamespace}", so the build cannot run; create it with: ${secret.createCommand}`);
    }
    throw fromKubeError(error, `reading Secret ${systemNamespace}/${name}`);
  }
  let outcome;
  try {
    outcome = await putCopy(kc, systemNamespace, namespace, source);
  } catch (error) {
    // Another stage of this namespace (or the Secret sync) copied it at the same moment.
    if (!isKubeStatus(error, 409)) throw error;
    outcome = await putCopy(kc, systemNamespace, namespace, source);
  }
  if (outcome === 'foreign') {
    throw stageFailed(
      `namespace "${namespace}" has a Secret "${name}" that Slipway did not copy there, so builds cannot use Slipway's "${systemNamespace}/${name}"; ` +
        `Slipway never overwrites it: rename or delete it (kubectl delete secret ${name} -n ${namespace}), or point Slipway at another Secret name`,
    );
  }
}
