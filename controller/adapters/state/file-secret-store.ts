/**
 * The embedded default's secret store: one JSON file, mode 0600, written atomically.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../../../core/ports/secret-store.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { createKeyLock } from './key-lock.ts';

type Secrets = Record<string, { webhook?: string }>;

/** Creates a {@link SecretStore} kept in `path`. */
export function createFileSecretStore(path: string): SecretStore {
  const withLock = createKeyLock();
  const key = (ns: string, app: string) => `${ns}/${app}`;
  const load = async (): Promise<Secrets> => {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Secrets;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  };
  const save = (secrets: Secrets) => writeFileAtomic(path, JSON.stringify(secrets, null, 2), 0o600);
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
