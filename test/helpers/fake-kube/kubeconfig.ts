/** Kubeconfigs pointing at the fake (no auth, plain HTTP on 127.0.0.1). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** A client-node KubeConfig for `url`. */
export function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
    currentContext: 'fake',
  });
  return kc;
}

/** Write `dir/kubeconfig` for kubectl or a server process (KUBECONFIG) and return its path. */
export async function writeKubeconfigFile(url: string, dir: string): Promise<string> {
  const path = join(dir, 'kubeconfig');
  const doc = {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [{ name: 'fake', cluster: { server: url, 'insecure-skip-tls-verify': true } }],  // client-node refuses plain http without it
    users: [{ name: 'fake', user: {} }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake', namespace: 'default' } }],
    'current-context': 'fake',
  };
  await writeFile(path, stringify(doc), { mode: 0o600 });
  return path;
}
