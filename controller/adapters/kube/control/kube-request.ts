/**
 * One raw JSON request to the Kubernetes API with the KubeConfig's server and
 * credentials. Slipway talks to the API through this (and `resourcePath`) instead of
 * client-node's generated API classes because (1) importing those classes loads
 * client-node's whole model catalogue (~2,700 models, tens of MiB of heap for types
 * Slipway never deserialises); (2) it lists any resource path, core or custom, all
 * namespaces at once; (3) it hands back the JSON as the API server wrote it — the
 * generated clients turn timestamps into `Date`s on list but the watch stream keeps
 * strings, and one cache should not hold both shapes; (4) it takes an AbortSignal, so a
 * hung request cannot hold a lease renewal past its deadline.
 *
 * Only client-node's request layer is imported (deep paths, so the package index and its
 * model catalogue stay unloaded): the KubeConfig still applies every kind of
 * credentials (in-cluster token, client certificates, exec and OIDC plugins) and TLS
 * settings, exactly as for the generated clients.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';

/** The PATCH flavours the API server takes, by their content type. */
export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  /** Server-side apply: send the object as JSON (YAML is a superset) with `fieldManager` and usually `force`. */
  apply: 'application/apply-patch+yaml',
} as const;

/** What to send. `query` values that are undefined are left out. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Required with PATCH: which patch the body is. */
  patch?: keyof typeof PATCH_TYPES;
  /** `text` resolves with the body as a string (pod logs); default `json`. */
  responseType?: 'json' | 'text';
  signal?: AbortSignal;
}

const http = new IsomorphicFetchHttpLibrary();

/**
 * Sends `request` and resolves with the parsed JSON answer (or the text, with
 * `responseType: 'text'`). A status outside 2xx rejects with client-node's
 * `ApiException` (code + the `Status` body as text), so `kubeFailure`/`isKubeStatus`
 * from kube-errors.ts read it like any client-node error.
 */
export async function kubeRequest<T>(kc: KubeConfig, request: KubeRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the KubeConfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + request.path);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  const context = new RequestContext(url.toString(), HttpMethod[request.method]);
  context.setHeaderParam('Accept', request.responseType === 'text' ? '*/*' : 'application/json');
  if (request.method === 'PATCH' && !request.patch) throw new Error(`PATCH ${request.path} needs a patch type`);
  if (request.body !== undefined) {
    context.setHeaderParam('Content-Type', request.patch ? PATCH_TYPES[request.patch] : 'application/json');
    context.setBody(JSON.stringify(request.body));
  }
  if (request.signal) context.setSignal(request.signal);
  await kc.applySecurityAuthentication(context);
  const response = await http.send(context).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
    throw new ApiException<string>(response.httpStatusCode, `HTTP ${response.httpStatusCode} from ${request.method} ${request.path}`, text, response.headers);
  }
  if (request.responseType === 'text') return text as T;
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Where a resource lives: `group` empty (or absent) for the core API. */
export interface ResourceRef {
  group?: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The REST path of a resource collection or object: `/api/v1/namespaces/ns/pods/p/log`,
 * `/apis/apps/v1/deployments` (all namespaces), … Segments are percent-encoded.
 */
export function resourcePath(ref: ResourceRef): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const parts = [base];
  if (ref.namespace !== undefined) parts.push('namespaces', encodeURIComponent(ref.namespace));
  parts.push(ref.plural);
  if (ref.name !== undefined) parts.push(encodeURIComponent(ref.name));
  if (ref.subresource !== undefined) parts.push(ref.subresource);
  return parts.join('/');
}
