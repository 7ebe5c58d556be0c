/**
 * What must exist in the cluster before the Kubernetes runtime can do anything: the
 * release namespace (its Lease, the Secrets it copies) and the registry and S3 Secrets
 * every staging Job mounts. Checked once at start, so a half-installed Slipway fails
 * with one message that names what to create, instead of starting and then failing
 * every push with `stage_failed` (issue 10, item 11).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { SlipwayError } from '../../../../core/errors.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';

/** A Secret that must exist in the release namespace, and the command that creates it. */
export interface RequiredSecret {
  name: string;
  /** `kubectl create secret …`, shown when the Secret is missing. */
  createCommand: string;
}

/** The release namespace and the Secrets to look for in it. */
export interface Prerequisites {
  namespace: string;
  secrets: RequiredSecret[];
}

/** The Secrets of the release namespace that builds and pods need, with the commands that create them. */
export function requiredSecrets(k: { namespace: string; registry: string; registrySecret: string; s3Secret: string; imagePullSecrets: string[] }): RequiredSecret[] {
  const server = k.registry.split('/')[0];
  return [
    { name: k.registrySecret, createCommand: `kubectl create secret docker-registry ${k.registrySecret} -n ${k.namespace} --docker-server=${server} --docker-username=<user> --docker-password=<password>` },
    { name: k.s3Secret, createCommand: `kubectl create secret generic ${k.s3Secret} -n ${k.namespace} --from-literal=AWS_ACCESS_KEY_ID=<key id> --from-literal=AWS_SECRET_ACCESS_KEY=<secret>` },
    ...k.imagePullSecrets.map((name) => ({ name, createCommand: `kubectl create secret docker-registry ${name} -n ${k.namespace} --docker-server=<registry> --docker-username=<user> --docker-password=<password> (or leave it out of SLIPWAY_IMAGE_PULL_SECRETS)` })),
  ];
}

/**
 * Throws one `invalid_config` error listing everything missing, each with the command
 * that creates it; resolves when all is there. Other API failures (403, unreachable)
 * are thrown as they are translated at the adapter boundary.
 */
export async function checkPrerequisites(kc: KubeConfig, wanted: Prerequisites): Promise<void> {
  const { namespace } = wanted;
  const missing: string[] = [];
  try {
    await kubeRequest(kc, { method: 'GET', path: resourcePath({ version: 'v1', plural: 'namespaces', name: namespace }) });
  } catch (error) {
    if (!isKubeStatus(error, 404)) throw fromKubeError(error, `reading namespace ${namespace}`);
    missing.push(`the namespace "${namespace}" (Slipway's release namespace, SLIPWAY_KUBE_NAMESPACE): kubectl create namespace ${namespace}`);
  }
  for (const secret of wanted.secrets) {
    // Without the namespace no Secret can be in it: say so once per Secret all the same,
    // so the list is everything to create.
    if (missing.length > 0 && missing[0]!.startsWith('the namespace')) {
      missing.push(`the Secret "${secret.name}" in namespace "${namespace}": ${secret.createCommand}`);
      continue;
    }
    try {
      await kubeRequest(kc, { method: 'GET', path: resourcePath({ version: 'v1', namespace, plural: 'secrets', name: secret.name }) });
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw fromKubeError(error, `reading Secret ${namespace}/${secret.name}`);
      missing.push(`the Secret "${secret.name}" in namespace "${namespace}": ${secret.createCommand}`);
    }
  }
  if (missing.length === 0) return;
  throw new SlipwayError('invalid_config', `SLIPWAY_RUNTIME=kubernetes cannot start: the cluster lacks what Slipway needs (the Helm chart creates it; without the chart, create it yourself):\n  - ${missing.join('\n  - ')}`, {
    status: 500, expose: true, data: { missing },
  });
}
