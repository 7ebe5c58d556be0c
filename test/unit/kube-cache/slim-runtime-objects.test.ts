/**
 * The runtime's Job, Ingress and Service caches keep only what their readers use
 * (runtime-caches.ts, issue 12): a Job's outcome and the labels superseding selects
 * by, an object's resourceVersion for the applied memo; no spec, no managedFields.
 */
import test from 'ava';
import type { V1Job } from '@kubernetes/client-node';
import { slimJob, slimMetadataOnly, type CachedJob } from '../../../controller/adapters/kube/cache/runtime-caches.ts';
import { jobOutcome } from '../../../controller/adapters/kube/runtime/stage/job-outcome.ts';

const metadata = {
  name: 'web-s-1', namespace: 'team', uid: 'u', resourceVersion: '9', generation: 1, creationTimestamp: '2026-12-05T08:00:00Z',
  labels: { 'slipway.dev/app': 'web', 'app.kubernetes.io/component': 'stage' }, annotations: { big: 'x'.repeat(1000) },
  managedFields: [{ manager: 'slipway', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
};

test('a slim Job keeps its outcome, labels and resourceVersion, and drops its spec and managedFields', (t) => {
  for (const conditions of [
    [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-12-05T08:01:00Z' }],
    [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'too long' }],
    undefined,
  ]) {
    const full = { apiVersion: 'batch/v1', kind: 'Job', metadata, spec: { template: { spec: { containers: [{ name: 'build', image: 'b' }] } } }, status: { active: 1, ...(conditions ? { conditions } : {}) } } as unknown as CachedJob;
    const slim = slimJob(full);
    t.deepEqual(jobOutcome(slim as V1Job), jobOutcome(full as V1Job));
    t.deepEqual(slim.metadata?.labels, metadata.labels);
    t.is(slim.metadata?.resourceVersion, '9');
    const kept = JSON.stringify(slim);
    t.false(kept.includes('managedFields') || kept.includes('"spec"') || kept.includes('xxxx'), kept);
  }
});

test('a slim Ingress or Service keeps its name, labels and resourceVersion only', (t) => {
  const slim = slimMetadataOnly({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ port: 80 }] } } as never);
  t.deepEqual(slim, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-s-1', namespace: 'team', uid: 'u', resourceVersion: '9', generation: 1, labels: metadata.labels } });
});
