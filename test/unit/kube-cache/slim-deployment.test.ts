/**
 * The Deployment cache keeps only what its readers use (slim-deployment.ts, issue 12):
 * every reader of a cached Deployment must see on the slim copy what it sees on the
 * full one. A reader that needs a field the slim copy drops fails here.
 */
import test from 'ava';
import { buildDeployment } from '../../../controller/adapters/kube/runtime/deploy/build-deployment.ts';
import { slimDeployment } from '../../../controller/adapters/kube/cache/slim-deployment.ts';
import { deploymentStatus } from '../../../controller/adapters/kube/cache/deployment-status.ts';
import type { CachedDeployment } from '../../../controller/adapters/kube/cache/kube-cache.ts';
import { LABELS } from '../../../controller/adapters/kube/labels.ts';

const full = (instances: number, status?: Record<string, unknown>): CachedDeployment => {
  const built = buildDeployment({
    namespace: 'team-a', app: 'web', stageId: 'stage-7', image: 'registry/web:7', instances,
    envSecret: 'web-env', registrySecret: 'registry', progressDeadlineSeconds: 600,
    owner: { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', name: 'web', uid: 'uid-1', controller: true },
  });
  // As the API server returns it: server-set metadata and a status.
  const metadata = { ...built.metadata, uid: 'uid-d', resourceVersion: '42', generation: 3, creationTimestamp: '2026-12-05T08:00:00Z' };
  return JSON.parse(JSON.stringify({ ...built, metadata, ...(status ? { status } : {}) })) as CachedDeployment;
};

const cases: Array<[string, CachedDeployment]> = [
  ['running', full(2, { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'ok', lastUpdateTime: '2026-12-05T08:00:00Z' }] })],
  ['starting', full(3, { replicas: 3, readyReplicas: 1 })],
  ['no status yet', full(1)],
  ['stopped', full(0, { observedGeneration: 3 })],
  ['stuck, none ready', full(2, { replicas: 2, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-1" has timed out progressing.' }] })],
  ['stuck, some ready', full(2, { replicas: 2, readyReplicas: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] })],
];

for (const [name, deployment] of cases) {
  test(`the listing's status of a slim Deployment is the full one's: ${name}`, (t) => {
    t.deepEqual(deploymentStatus(slimDeployment(deployment)), deploymentStatus(deployment));
  });
}

test('the controller\'s readers find the namespace, app label, stage annotation and identity on the slim copy', (t) => {
  const deployment = full(2, { readyReplicas: 2 });
  const slim = slimDeployment(deployment);
  t.is(slim.metadata?.namespace, 'team-a');
  t.is(slim.metadata?.name, 'web');
  t.is(slim.metadata?.labels?.[LABELS.app], 'web');
  t.is(slim.metadata?.annotations?.[LABELS.stageId], 'stage-7');
  t.is(slim.metadata?.resourceVersion, '42');
  t.is(slim.metadata?.uid, 'uid-d');
  t.is(slim.metadata?.generation, 3);
  t.is(slim.apiVersion, 'apps/v1');
  t.is(slim.kind, 'Deployment');
});

test('the pod template is not kept: the slim copy is a small part of the full one', (t) => {
  const deployment = full(2, { readyReplicas: 2 });
  const slim = slimDeployment(deployment);
  t.false('template' in (slim.spec ?? {}));
  t.true(JSON.stringify(slim).length < JSON.stringify(deployment).length / 2);
});
