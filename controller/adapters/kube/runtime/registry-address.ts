/**
 * One registry, two addresses: build pods push to `registry` (e.g. the in-cluster
 * Service), while the nodes' container runtime pulls from `registryPull` (e.g.
 * `127.0.0.1:<NodePort>`, since nodes cannot resolve `*.svc.cluster.local`; k3s-io/k3s#1581,
 * and Epinio pulls through a NodePort the same way). The repository path and tag are the
 * same at both, so an image reference moves between them by swapping the prefix.
 */

/** The two addresses of Slipway's registry (`registryPull` defaults to `registry`). */
export interface RegistryAddresses {
  registry: string;
  registryPull?: string;
}

/** `image` as the nodes pull it: a reference under the push address is moved to the pull address; anything else is left alone. */
export function pullReference(image: string, addresses: RegistryAddresses): string {
  return swapPrefix(image, addresses.registry, addresses.registryPull ?? addresses.registry);
}

/** `image` as build pods reach it: a reference under the pull address is moved to the push address; anything else is left alone. */
export function pushReference(image: string, addresses: RegistryAddresses): string {
  return swapPrefix(image, addresses.registryPull ?? addresses.registry, addresses.registry);
}

/** The host (and port) of a registry address such as `registry.example.com:5000/apps`. */
export function registryHost(registry: string): string {
  return registry.split('/')[0]!;
}

function swapPrefix(image: string, from: string, to: string): string {
  const head = `${from.replace(/\/+$/, '')}/`;
  return from !== to && image.startsWith(head) ? `${to.replace(/\/+$/, '')}/${image.slice(head.length)}` : image;
}
