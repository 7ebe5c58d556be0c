/**
 * Telling 404s apart. A 404 on `/apis/slipway.dev/v1alpha1/namespaces/ns/apps/web`
 * means one of three things: no App `web` (a `Status` whose `details` name it), no
 * namespace `ns` (on create: `details.kind` is `namespaces`), or no App resource type
 * at all — the CRD is not installed, and the API server answers with a bare "page not
 * found" or a `Status` without details. The last one must not read as "no such app":
 * the operator has to install the CRD, and should be told how.
 */
import { SlipwayError } from '../../../../core/errors.ts';
import { isKubeStatus } from '../kube-errors.ts';

/** What a 404 was about, from its `Status.details`. */
export interface NotFoundDetails {
  name?: string;
  kind?: string;
  group?: string;
}

/** The `details` of a 404 answer, or undefined when `error` is no 404 or says nothing about what was missing. */
export function notFoundDetails(error: unknown): NotFoundDetails | undefined {
  if (!isKubeStatus(error, 404)) return undefined;
  let body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try { body = JSON.parse(body) as unknown; } catch { return undefined; }
  }
  const details = (body as { details?: Record<string, unknown> } | undefined)?.details;
  if (typeof details !== 'object' || details === null) return undefined;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const found: NotFoundDetails = { name: text(details.name), kind: text(details.kind), group: text(details.group) };
  return found.name || found.kind ? found : undefined;
}

/** True when the 404 says the namespace is missing (creating an object in it). */
export function isNamespaceMissing(error: unknown, namespace: string): boolean {
  const details = notFoundDetails(error);
  return details?.kind === 'namespaces' && (details.name === undefined || details.name === namespace);
}

/** True when the 404 names the object `name` itself: it does not exist, but its type does. */
export function isObjectMissing(error: unknown, name: string): boolean {
  const details = notFoundDetails(error);
  return details !== undefined && details.kind !== 'namespaces' && details.name === name;
}

/** The error for an API server without the App resource type. */
export function appCrdMissing(): SlipwayError {
  return new SlipwayError('kubernetes_crd_missing',
    'the App custom resource (apps.slipway.dev/v1alpha1) is not installed in this cluster; install it with "kubectl apply -f charts/slipway/crds/" (the Helm chart installs it too)',
    { status: 503, expose: true, retry: 'waiting' });
}
