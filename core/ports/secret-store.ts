/**
 * Per-app secrets that must never appear in the app object the API returns: the
 * webhook secret a provider signs deliveries with. A file (mode 0600) for the embedded
 * default; a Kubernetes Secret on the cluster.
 */
export interface SecretStore {
  /** The app's webhook secret, or undefined when none was made yet. */
  webhookSecret(namespace: string, app: string): Promise<string | undefined>;
  /** The app's webhook secret, made (random, 32 bytes) on first use. */
  ensureWebhookSecret(namespace: string, app: string): Promise<string>;
  /** Forgets the app's secrets (app deleted). */
  deleteSecrets(namespace: string, app: string): Promise<void>;
}
