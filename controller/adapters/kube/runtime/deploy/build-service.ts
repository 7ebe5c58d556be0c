/** The ClusterIP Service in front of an app's pods: port 80 to the container's `http` port. */
import type { V1OwnerReference, V1Service } from '@kubernetes/client-node';
import { appObjectMeta, appPodSelector } from './app-object-meta.ts';

/** The Service `<app>`, which the app's Ingresses route to. */
export function buildService(namespace: string, app: string, owner?: V1OwnerReference): V1Service & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: appObjectMeta(namespace, app, app, owner),
    spec: {
      type: 'ClusterIP',
      selector: appPodSelector(app),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}
