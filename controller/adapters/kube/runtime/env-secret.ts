/**
 * The app's environment as a Secret (`<app>-env`): the build mounts it as the
 * buildpacks platform env directory (`/platform/env`, one file per key) and the
 * Deployment reads it with `envFrom`. Server-side applied, so a key removed from the
 * app's env disappears from the Secret.
 */
import type { KubeConfig, V1OwnerReference, V1Secret } from '@kubernetes/client-node';
import { invalidRequest } from '../../../../core/error-cases.ts';
import { FIELD_MANAGER, appLabels } from '../labels.ts';
import { fromKubeError } from '../kube-errors.ts';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';
import { cacheLookups } from '../cache/cache-lookups.ts';

/** An environment variable name a process, `envFrom` and the platform env directory all accept. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Name of the app's env Secret. */
export function envSecretName(app: string): string {
  return `${app}-env`;
}

/**
 * Applies Secret `<app>-env` in `namespace` holding exactly `env` (field manager
 * `slipway`, forced) and returns its name. Values go in `data` (base64), not
 * `stringData`: server-side apply tracks `stringData` keys apart from the `data` they
 * become, so a removed key would stay (kubernetes/kubernetes#108008).
 */
export async function applyEnvSecret(kc: KubeConfig, namespace: string, app: string, env: Record<string, string>, owner?: V1OwnerReference): Promise<string> {
  const bad = Object.keys(env).filter((key) => !ENV_NAME.test(key));
  if (bad.length > 0) throw invalidRequest(`invalid environment variable name ${bad.map((k) => JSON.stringify(k)).join(', ')}: use letters, digits and _, not starting with a digit`, { field: 'env' });
  const name = envSecretName(app);
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: appLabels(app, 'secret'), ...(owner ? { ownerReferences: [owner] } : {}) },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(env).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
  };
  // The stage applied it moments before the deploy does: when the cached Secret holds
  // exactly this, the second apply would change nothing (issue 12). A cache that lags or
  // differs in anything — a key, a label, the owner — means applying, as always.
  if (alreadyApplied(cacheLookups(kc)?.slipwaySecret(namespace, name), body, owner)) return name;
  try {
    await kubeRequest(kc, {
      method: 'PATCH', patch: 'apply', path: resourcePath({ version: 'v1', namespace, plural: 'secrets', name }),
      query: { fieldManager: FIELD_MANAGER, force: true }, body,
    });
  } catch (error) {
    throw fromKubeError(error, `applying Secret ${namespace}/${name}`);
  }
  return name;
}

/** True when the cached Secret has the body's type, data (exactly) and labels, and the owner. */
function alreadyApplied(cached: ReturnType<NonNullable<ReturnType<typeof cacheLookups>>['slipwaySecret']>, body: V1Secret, owner?: V1OwnerReference): boolean {
  if (!cached) return false;
  if ((cached.type ?? 'Opaque') !== body.type) return false;
  const have = cached.data ?? {};
  const want = body.data ?? {};
  if (Object.keys(have).length !== Object.keys(want).length || Object.entries(want).some(([key, value]) => have[key] !== value)) return false;
  const labels = cached.metadata?.labels ?? {};
  if (Object.entries(body.metadata?.labels ?? {}).some(([key, value]) => labels[key] !== value)) return false;
  return !owner || (cached.metadata?.ownerReferences ?? []).some((ref) => ref.uid === owner.uid);
}
