/**
 * Per-app secrets on Kubernetes: one Secret `<app>-slipway-webhook` in the app's
 * namespace, key `webhook-secret`, owned by the App resource so that Kubernetes'
 * garbage collector deletes it with the App — also when the App is deleted with
 * kubectl while Slipway is not running.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';
import type { SecretStore } from '../../../../core/ports/secret-store.ts';
import { conflict, invalidName, namespaceNotFound } from '../../../../core/error-cases.ts';
import { assertName } from '../../../../core/names.ts';
import { FIELD_MANAGER, appLabels } from '../labels.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { appOwnerReference } from '../owner-reference.ts';
import { retryTransient } from './retry-transient.ts';

/** The key of the webhook secret inside the Secret. */
export const WEBHOOK_SECRET_KEY = 'webhook-secret';

/** Options for {@link createKubeSecretStore}. */
export interface KubeSecretStoreOptions {
  kc: KubeConfig;
}

/**
 * The name of app `app`'s webhook Secret. App names are DNS labels of at most 63
 * characters, so this stays far below the 253-character limit of Secret names; the
 * check is for the day that rule changes.
 */
export function webhookSecretName(app: string): string {
  const name = `${assertName('application', app)}-slipway-webhook`;
  if (name.length > 253) throw invalidName('application', app, 'its webhook Secret name would exceed 253 characters');
  return name;
}

const decode = (secret: V1Secret): string | undefined => {
  const value = secret.data?.[WEBHOOK_SECRET_KEY];
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
};

/** Creates a {@link SecretStore} kept in Kubernetes Secrets. */
export function createKubeSecretStore({ kc }: KubeSecretStoreOptions): SecretStore {
  const path = (namespace: string, name?: string) => resourcePath({ version: 'v1', plural: 'secrets', namespace, name });
  const fieldManager = { fieldManager: FIELD_MANAGER };

  async function read(namespace: string, app: string): Promise<V1Secret | undefined> {
    try {
      return await retryTransient(() => kubeRequest<V1Secret>(kc, { method: 'GET', path: path(namespace, webhookSecretName(app)) }));
    } catch (error) {
      if (isKubeStatus(error, 404)) return undefined;
      throw fromKubeError(error, `reading the webhook Secret of ${namespace}/${app}`);
    }
  }

  return {
    async webhookSecret(namespace, app) {
      const found = await read(namespace, app);
      return found && decode(found);
    },

    async ensureWebhookSecret(namespace, app) {
      const found = await read(namespace, app);
      const existing = found && decode(found);
      if (existing) return existing;
      const secret = randomBytes(32).toString('hex');
      const owner = await appOwnerReference(kc, namespace, app);
      const body: V1Secret = {
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
        metadata: { name: webhookSecretName(app), namespace, labels: appLabels(app, 'secret'), ...(owner ? { ownerReferences: [owner] } : {}) },
        data: { [WEBHOOK_SECRET_KEY]: Buffer.from(secret).toString('base64') },
      };
      try {
        if (found) {
          // A Secret without the key (emptied by hand): fill it rather than fail.
          await retryTransient(() => kubeRequest(kc, { method: 'PUT', path: path(namespace, body.metadata!.name!), query: fieldManager, body: { ...found, data: { ...found.data, ...body.data } } }));
        } else {
          await retryTransient(() => kubeRequest(kc, { method: 'POST', path: path(namespace), query: fieldManager, body }));
        }
        return secret;
      } catch (error) {
        if (isKubeStatus(error, 404) && !found) throw namespaceNotFound(namespace);
        if (!isKubeStatus(error, 409)) throw fromKubeError(error, `storing the webhook Secret of ${namespace}/${app}`);
      }
      // Someone else made it first (another replica, a concurrent request): theirs is the secret.
      const winner = await read(namespace, app);
      const value = winner && decode(winner);
      if (!value) throw conflict(`the webhook Secret of ${namespace}/${app}`);
      return value;
    },

    async deleteSecrets(namespace, app) {
      try {
        await retryTransient(() => kubeRequest(kc, { method: 'DELETE', path: path(namespace, webhookSecretName(app)) }));
      } catch (error) {
        if (!isKubeStatus(error, 404)) throw fromKubeError(error, `deleting the webhook Secret of ${namespace}/${app}`);
      }
    },
  };
}
