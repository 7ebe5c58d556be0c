/**
 * Streams one container's log (`GET …/pods/:pod/log`) as LogLines. A raw request
 * rather than client-node's `Log` class: `Log` drops the API's Status message on a 400
 * ("container … is waiting to start: ContainerCreating") and never ends its output
 * stream when the connection breaks mid-way, which would hang a follower forever.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { SlipwayError, isSlipwayError } from '../../../../core/errors.ts';
import type { LogLine } from '../../../../core/ports/runtime.ts';
import { fromKubeError } from '../kube-errors.ts';

/** Options of {@link streamPodLogs}. */
export interface PodLogOptions {
  follow: boolean;
  /** Lines from the end to start with (0: none, only what comes next). */
  tail?: number;
  signal?: AbortSignal;
  /** `source` of every line (defaults to the container's name). */
  source?: string;
}

/** Code of the error thrown when the log cannot be read yet: no such pod or container, or it has not started. */
export const POD_LOG_UNAVAILABLE = 'pod_log_unavailable';

/**
 * True when `error` says the log is not there (yet): HTTP 404 (no pod, or no such
 * container) or 400 (the container is waiting: ContainerCreating, PodInitializing, …).
 * `error.data.httpStatus` says which; `error.message` holds the API's reason.
 */
export function isPodLogUnavailable(error: unknown): error is SlipwayError {
  return isSlipwayError(error, POD_LOG_UNAVAILABLE);
}

/**
 * The lines of `container` in `pod`, each `{time, stream: 'stdout', text, source}`.
 * Without `follow` it ends with what is there; with `follow` it ends when the
 * container's log ends (it terminated) or `signal` aborts. Throws
 * {@link isPodLogUnavailable} errors for a pod or container that is absent or not
 * started, so callers can wait and retry; other failures are translated Kubernetes errors.
 */
export async function* streamPodLogs(kc: KubeConfig, namespace: string, pod: string, container: string, options: PodLogOptions): AsyncIterable<LogLine> {
  const { signal } = options;
  if (signal?.aborted) return;
  if (options.tail === 0 && !options.follow) return;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new SlipwayError('kubernetes_unavailable', 'no Kubernetes cluster is configured', { status: 503, expose: true });
  const url = new URL(`${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`);
  url.searchParams.set('container', container);
  if (options.follow) url.searchParams.set('follow', 'true');
  // tailLines=0 is "no lines" for the API server; kubectl's --tail=0 means the same.
  if (options.tail !== undefined) url.searchParams.set('tailLines', String(Math.max(0, options.tail)));
  const requestOptions: RequestOptions = { method: 'GET', headers: {} };
  await kc.applyToHTTPSOptions(requestOptions as never);
  const local = new AbortController();
  const onAbort = () => local.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await open(url, requestOptions, local.signal, `reading the log of ${namespace}/${pod} (${container})`);
    if (response.statusCode !== 200) {
      throw await refusal(response, namespace, pod, container);
    }
    const source = options.source ?? container;
    const lines = createInterface({ input: response, crlfDelay: Infinity });
    try {
      for await (const text of lines) {
        yield { time: new Date().toISOString(), stream: 'stdout', text, source };
      }
    } catch (error) {
      // An abort or a broken connection ends the log: a follower sees the end and decides.
      if (signal?.aborted) return;
      if (!options.follow) throw fromKubeError(error, `reading the log of ${namespace}/${pod} (${container})`);
    }
  } catch (error) {
    if (signal?.aborted && !isSlipwayError(error)) return;
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    local.abort();
  }
}

/** Sends the request; resolves with the response head. */
function open(url: URL, options: RequestOptions, signal: AbortSignal, what: string): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...options, signal }, resolve);
    req.on('error', (error) => reject(fromKubeError(error, what)));
    req.end();
  });
}

/** The error for a non-200 answer: 400/404 are "not there yet", the rest translated. */
async function refusal(response: IncomingMessage, namespace: string, pod: string, container: string): Promise<SlipwayError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size < 64 * 1024) chunks.push(chunk);
    size += chunk.length;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not a Status: keep the text */ }
  const code = response.statusCode ?? 500;
  if (code === 400 || code === 404) {
    const said = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : '';
    return new SlipwayError(POD_LOG_UNAVAILABLE, `the log of container "${container}" in pod ${namespace}/${pod} is not available${said ? `: ${said.slice(0, 300)}` : ''}`, {
      status: 404, data: { namespace, pod, container, httpStatus: code },
    });
  }
  return fromKubeError({ code, body }, `reading the log of ${namespace}/${pod} (${container})`);
}
