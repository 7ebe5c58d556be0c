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
 * The part of undici's `Dispatcher` used here. client-node hands every request the undici
 * Agent it built for the cluster's TLS options (shared by share-connections.ts) and sends
 * it with undici's `fetch`; its WHATWG Request/Response/stream layers were about two
 * thirds of the CPU of an API call in the control-plane bench, so kubeRequest calls the
 * same Agent's plain `request` instead: the same connections, TLS and headers.
 */
interface RequestDispatcher {
  request(options: { origin: string; path: string; method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<{
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: { text(): Promise<string> };
  }>;
}

/** True when client-node gave the request an undici dispatcher with `request`. */
function isRequestDispatcher(dispatcher: unknown): dispatcher is RequestDispatcher {
  return typeof (dispatcher as { request?: unknown } | undefined)?.request === 'function';
}

/** Status, headers and body text of one answer. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Sends the prepared request: through its dispatcher's `request` when it has one, else client-node's fetch. */
async function send(context: RequestContext, url: URL, body: string | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  const dispatcher = context.getDispatcher();
  if (isRequestDispatcher(dispatcher)) {
    const response = await dispatcher.request({ origin: url.origin, path: url.pathname + url.search, method: context.getHttpMethod(), headers: context.getHeaders(), body, signal });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: response.statusCode, headers, text };
  }
  // No dispatcher: an https server with no TLS options at all (system CAs); fetch uses its global one.
  const response = await http.send(context).toPromise();
  return { status: response.httpStatusCode, headers: response.headers, text: await response.body.text() };
}

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
  // Serialised once: each `url.searchParams.set` re-serialises the whole query.
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) query.set(key, String(value));
  }
  if (query.size > 0 && url.search === '') url.search = query.toString();
  else for (const [key, value] of query) url.searchParams.set(key, value);
  const context = new RequestContext(url.toString(), HttpMethod[request.method]);
  context.setHeaderParam('Accept', request.responseType === 'text' ? '*/*' : 'application/json');
  if (request.method === 'PATCH' && !request.patch) throw new Error(`PATCH ${request.path} needs a patch type`);
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  if (body !== undefined) {
    context.setHeaderParam('Content-Type', request.patch ? PATCH_TYPES[request.patch] : 'application/json');
    context.setBody(body);
  }
  if (request.signal) context.setSignal(request.signal);
  await kc.applySecurityAuthentication(context);
  const { status, headers, text } = await send(context, url, body, request.signal);
  if (status < 200 || status > 299) {
    throw new ApiException<string>(status, `HTTP ${status} from ${request.method} ${request.path}`, text, headers);
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
