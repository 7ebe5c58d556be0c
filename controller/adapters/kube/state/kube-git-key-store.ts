/**
 * Deploy keys on Kubernetes: one Secret (`slipway-git-keys`) in the release namespace,
 * key `git-keys.json`, created on the first add. Every replica reads the same Secret;
 * writes replace it at the resourceVersion they read, and a writer that lost the race
 * (409) reads again and re-applies its change, so two replicas never drop each other's key.
 */
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { kubeRequest, resourcePath } from '../control/kube-request.ts';
import type { GitKeyStore } from '../../../../core/ports/git-keys.ts';
import type { Clock } from '../../../../core/ports/clock.ts';
import type { Logger } from '../../../../core/ports/logger.ts';
import { conflict } from '../../../../core/error-cases.ts';
import { SlipwayError } from '../../../../core/errors.ts';
import { FIELD_MANAGER, LABELS, MANAGED_BY } from '../labels.ts';
import { fromKubeError, isKubeStatus } from '../kube-errors.ts';
import { backoffDelay, retryTransient } from './retry-transient.ts';
import { createKeyLock } from '../../state/key-lock.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGitKeyStore, emptyDocument, isGitKeyDocument, type GitKeyDocument } from '../../git-keys/create-git-key-store.ts';

/** The Secret's default name. */
export const GIT_KEYS_SECRET = 'slipway-git-keys';
/** The key of the document inside the Secret. */
export const GIT_KEYS_DATA_KEY = 'git-keys.json';

/** Options of {@link createKubeGitKeyStore}. */
export interface KubeGitKeyStoreOptions {
  kc: KubeConfig;
  /** The release namespace (SLIPWAY_NAMESPACE). */
  namespace: string;
  name?: string;
  clock?: Clock;
  logger?: Logger;
}

/** Read-modify-write rounds before a write gives up to concurrent writers (other replicas). */
const WRITE_ATTEMPTS = 8;

/** Creates the Secret-backed {@link GitKeyStore}. */
export function createKubeGitKeyStore({ kc, namespace, name = GIT_KEYS_SECRET, clock, logger }: KubeGitKeyStoreOptions): GitKeyStore {
  const path = (secret?: string) => resourcePath({ version: 'v1', plural: 'secrets', namespace, name: secret });
  const withLock = createKeyLock();

  async function readSecret(): Promise<V1Secret | undefined> {
    try {
      return await retryTransient(() => kubeRequest<V1Secret>(kc, { method: 'GET', path: path(name) }));
    } catch (error) {
      if (isKubeStatus(error, 404)) return undefined;
      throw fromKubeError(error, `reading the Secret ${namespace}/${name}`);
    }
  }

  /** The document, or undefined when the Secret holds something else. */
  function decode(secret: V1Secret | undefined): GitKeyDocument | undefined {
    const raw = secret?.data?.[GIT_KEYS_DATA_KEY];
    if (!raw) return emptyDocument();
    try {
      const value: unknown = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
      if (isGitKeyDocument(value)) return value;
    } catch {
      // Reported below, without the parser's message (it quotes the text).
    }
    logger?.error({ secret: `${namespace}/${name}`, key: GIT_KEYS_DATA_KEY }, unreadable());
    return undefined;
  }

  const unreadable = () => `the Secret ${namespace}/${name} does not hold valid deploy keys (its ${GIT_KEYS_DATA_KEY} is not the expected JSON); fix or delete that key`;

  async function write(found: V1Secret | undefined, doc: GitKeyDocument): Promise<boolean> {
    const data = { ...found?.data, [GIT_KEYS_DATA_KEY]: Buffer.from(JSON.stringify(doc)).toString('base64') };
    try {
      if (found) {
        await retryTransient(() => kubeRequest(kc, { method: 'PUT', path: path(name), query: { fieldManager: FIELD_MANAGER }, body: { ...found, data } }));
      } else {
        const body: V1Secret = {
          apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
          metadata: { name, namespace, labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.component]: 'git-keys' } },
          data,
        };
        await retryTransient(() => kubeRequest(kc, { method: 'POST', path: path(), query: { fieldManager: FIELD_MANAGER }, body }));
      }
      return true;
    } catch (error) {
      if (isKubeStatus(error, 409)) return false;
      throw fromKubeError(error, `storing the Secret ${namespace}/${name}`);
    }
  }

  return createGitKeyStore({
    read: async () => decode(await readSecret()) ?? emptyDocument(),
    // One writer at a time in this replica; other replicas are met by the resourceVersion check.
    update: (change) => withLock('secret', async () => {
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        if (attempt > 0) await sleep(backoffDelay(attempt - 1, 50));
        const found = await readSecret();
        const doc = decode(found);
        // Not overwritten: a hand edit gone wrong is mended by hand, and the keys in it are kept.
        if (!doc) throw new SlipwayError('git_keys_unreadable', unreadable(), { status: 500, expose: true, retry: 'stalled' });
        const result = change(doc);
        if (await write(found, doc)) return result;
      }
      throw conflict(`the Secret ${namespace}/${name}`);
    }),
  }, clock);
}
