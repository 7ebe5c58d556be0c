/**
 * One Ingress per route of an app. A route is `host` or `host/path` (path prefix).
 *
 * Naming: the first route's Ingress is `<app>`; every other route's is
 * `<app>-<first 8 hex digits of sha256(route)>`, so an Ingress keeps its name (and its
 * certificate Secret `<ingress>-tls`) when routes are added, removed or reordered
 * behind the first one.
 */
import { createHash } from 'node:crypto';
import type { V1Ingress, V1OwnerReference } from '@kubernetes/client-node';
import { appObjectMeta } from './app-object-meta.ts';

/** Annotation cert-manager reads to issue a certificate for an Ingress's `tls` hosts. */
export const CLUSTER_ISSUER_ANNOTATION = 'cert-manager.io/cluster-issuer';

/** Inputs of {@link buildIngresses}. */
export interface IngressesInput {
  namespace: string;
  app: string;
  routes: string[];
  ingressClass: string;
  /** cert-manager ClusterIssuer; TLS is off when unset. */
  tlsIssuer?: string;
  owner?: V1OwnerReference;
}

/** Host and path prefix of a route (`web.example.com/api` → `web.example.com`, `/api`). */
export function splitRoute(route: string): { host: string; path: string } {
  const slash = route.indexOf('/');
  if (slash < 0) return { host: route, path: '/' };
  const path = route.slice(slash).replace(/\/+$/, '');
  return { host: route.slice(0, slash), path: path === '' ? '/' : path };
}

/** The URL a person opens for a route. */
export function routeUrl(route: string, tls: boolean): string {
  const { host, path } = splitRoute(route);
  return `${tls ? 'https' : 'http'}://${host}${path}`;
}

/** Name of the Ingress of the `index`th route (see the file comment). */
export function ingressName(app: string, route: string, index: number): string {
  if (index === 0) return app;
  return `${app}-${createHash('sha256').update(route).digest('hex').slice(0, 8)}`;
}

/** The Ingresses of an app's routes, in route order (duplicates dropped). */
export function buildIngresses(input: IngressesInput): Array<V1Ingress & { apiVersion: string; kind: string }> {
  const routes = [...new Set(input.routes)];
  return routes.map((route, index) => {
    const name = ingressName(input.app, route, index);
    const { host, path } = splitRoute(route);
    const annotations = input.tlsIssuer ? { [CLUSTER_ISSUER_ANNOTATION]: input.tlsIssuer } : undefined;
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: appObjectMeta(input.namespace, name, input.app, input.owner, annotations),
      spec: {
        ingressClassName: input.ingressClass,
        rules: [{
          host,
          http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: input.app, port: { name: 'http' } } } }] },
        }],
        ...(input.tlsIssuer ? { tls: [{ hosts: [host], secretName: `${name}-tls` }] } : {}),
      },
    };
  });
}
