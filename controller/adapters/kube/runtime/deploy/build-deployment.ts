/**
 * The Deployment of an app's release, as Slipway server-side applies it. Hardened by
 * default (non-root, no privilege escalation, no capabilities, no service account
 * token, no service links); rolls one new pod at a time and never takes a ready one
 * away before its replacement is ready, so the previous release keeps serving when the
 * new one cannot start.
 */
import type { V1Deployment, V1OwnerReference } from '@kubernetes/client-node';
import { LABELS, appLabels } from '../../labels.ts';
import { appObjectMeta, appPodSelector } from './app-object-meta.ts';

/** The port every app listens on (`PORT`), as buildpack-built images expect. */
export const APP_PORT = 8080;

/** Name of the app's container in its pods. */
export const APP_CONTAINER = 'app';

/** What kubectl sets to restart a Deployment's pods (`kubectl rollout restart`). */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** Requests of an app container: small, so many apps fit a node; no limits, so they may burst. */
const REQUESTS = { cpu: '50m', memory: '128Mi' };

/** ReplicaSets kept for `kubectl rollout undo`; Slipway rolls back from its own release history. */
const REVISION_HISTORY = 3;

/** Inputs of {@link buildDeployment}. */
export interface DeploymentSpecInput {
  namespace: string;
  app: string;
  stageId: string;
  image: string;
  instances: number;
  /** Secret holding the app's environment (`envFrom`). */
  envSecret: string;
  /** Secret (dockerconfigjson) the kubelet pulls the image with. */
  registrySecret: string;
  /** Kubernetes reports ProgressDeadlineExceeded after this long without progress. */
  progressDeadlineSeconds: number;
  owner?: V1OwnerReference;
}

/** The Deployment `<app>` running `image` with `instances` replicas. */
export function buildDeployment(input: DeploymentSpecInput): V1Deployment & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: appObjectMeta(input.namespace, input.app, input.app, input.owner, { [LABELS.stageId]: input.stageId }),
    spec: {
      replicas: input.instances,
      selector: { matchLabels: appPodSelector(input.app) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      progressDeadlineSeconds: input.progressDeadlineSeconds,
      revisionHistoryLimit: REVISION_HISTORY,
      template: {
        // The stage id on the pods tells the new release's pods from the old ones during a rollout.
        metadata: { labels: { ...appLabels(input.app, 'app'), [LABELS.stageId]: input.stageId } },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          imagePullSecrets: [{ name: input.registrySecret }],
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: APP_CONTAINER,
            image: input.image,
            // `env` wins over `envFrom`: the app cannot move itself off the port the Service targets.
            env: [{ name: 'PORT', value: String(APP_PORT) }],
            envFrom: [{ secretRef: { name: input.envSecret } }],
            ports: [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }],
            readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
            resources: { requests: { ...REQUESTS } },
            securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  };
}
