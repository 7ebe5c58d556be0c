/**
 * One raw JSON request to the Kubernetes API with the KubeConfig's server and
 * credentials. The watch cache and the lease elector use it instead of the generated
 * clients because (1) it lists any resource path, core or custom, all namespaces at
 * once; (2) it hands back the JSON as the API server wrote it — the generated clients
 * turn timestamps into `Date`s on list but the watch stream keeps strings, and one
 * cache should not hold both shapes; (3) it takes an AbortSignal, so a hung request
 * cannot hold a lease renewal past its deadline.
 */
import { ApiException, HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from '@kubernetes/client-node';

/** What to send. `query` values that are undefined are left out. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

const http = new IsomorphicFetchHttpLibrary();

/**
 * Sends `request` and resolves with the parsed JSON answer. A status outside 2xx
 * rejects with client-node's `ApiException` (code + the `Status` body as text), so
 * `kubeFailure`/`isKubeStatus` from kube-errors.ts read it like any client-node error.
 */
export async function kubeRequest<T>(kc: KubeConfig, request: KubeRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the KubeConfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const context = new RequestContext(url.toString(), HttpMethod[request.method]);
  context.setHeaderParam('Accept', 'application/json');
  if (request.body !== undefined) {
    context.setHeaderParam('Content-Type', 'application/json');
    context.setBody(JSON.stringify(request.body));
  }
  if (request.signal) context.setSignal(request.signal);
  await kc.applySecurityAuthentication(context);
  const response = await http.send(context).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
    throw new ApiException<string>(response.httpStatusCode, `HTTP ${response.httpStatusCode} from ${request.method} ${request.path}`, text, response.headers);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
