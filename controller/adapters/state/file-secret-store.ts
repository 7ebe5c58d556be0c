/**
 * The embedded default's secret store: one JSON file, mode 0600, written atomically.
 * A file that does not parse is moved aside (`secrets.json.corrupt`, logged) and the
 * store starts empty: per-app webhook secrets are random tokens that are made again on
 * demand (`slipway app webhook` shows the new one), whereas refusing would block every
 * app deletion and watched push.
 */
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../../../core/ports/secret-store.ts';
import type { Logger } from '../../../core/ports/logger.ts';
import { storageError } from '../../../core/error-cases.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { createKeyLock } from './key-lock.ts';
import { readStateFile } from './read-state-file.ts';

type Secrets = Record<string, { webhook?: string }>;

const isSecrets = (v: unknown): v is Secrets => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Creates a {@link SecretStore} kept in `path`; `logger` hears of a file moved aside. */
export function createFileSecretStore(path: string, logger?: Logger): SecretStore {
  const withLock = createKeyLock();
  const key = (ns: string, app: string) => `${ns}/${app}`;
  const load = async (): Promise<Secrets> => {
    const found = await readStateFile(path, isSecrets, logger);
    return found.kind === 'found' ? found.value : {};
  };
  const save = async (secrets: Secrets) => {
    try {
      await writeFileAtomic(path, JSON.stringify(secrets, null, 2), 0o600);
    } catch (error) {
      throw storageError(error, dirname(path)) ?? error;
    }
  };
  return {
    async webhookSecret(namespace, app) {
      return (await load())[key(namespace, app)]?.webhook;
    },
    ensureWebhookSecret: (namespace, app) => withLock('file', async () => {
      const secrets = await load();
      const found = secrets[key(namespace, app)]?.webhook;
      if (found) return found;
      const secret = randomBytes(32).toString('hex');
      secrets[key(namespace, app)] = { ...secrets[key(namespace, app)], webhook: secret };
      await save(secrets);
      return secret;
    }),
    deleteSecrets: (namespace, app) => withLock('file', async () => {
      const secrets = await load();
      if (!(key(namespace, app) in secrets)) return;
      delete secrets[key(namespace, app)];
      await save(secrets);
    }),
  };
}
