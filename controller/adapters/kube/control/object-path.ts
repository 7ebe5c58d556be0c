/**
 * The REST path of an object Slipway writes, from its `apiVersion` and `kind`.
 * client-node's `KubernetesObjectApi` asked the API server's discovery for the plural
 * (one more request per kind, and the generated API catalogue loaded); Slipway writes
 * a handful of built-in kinds whose plurals are fixed, so they are listed here.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { resourcePath } from './kube-request.ts';

/** Plural of each kind Slipway applies, lists or deletes by `apiVersion`/`kind`. */
const PLURALS: Readonly<Record<string, string>> = {
  Deployment: 'deployments',
  Service: 'services',
  Ingress: 'ingresses',
  Job: 'jobs',
  Secret: 'secrets',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};

/** The path of `kind` in `namespace` (its collection, or the object `name`); throws for a kind not in the table. */
export function kindPath(apiVersion: string, kind: string, namespace: string, name?: string): string {
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`no REST path known for kind ${kind} (${apiVersion})`);
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? undefined : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  return resourcePath({ group, version, namespace, plural, name });
}

/** The path of `object` itself (namespaced kinds only). */
export function objectPath(object: KubernetesObject & { apiVersion: string; kind: string }): string {
  return kindPath(object.apiVersion, object.kind, object.metadata?.namespace ?? '', object.metadata?.name);
}
