import test from 'ava';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { buildCacheClaim } from '../../../controller/adapters/kube/runtime/stage/ensure-cache-claim.ts';
import { unknownFields } from './unknown-fields.ts';

const owner = { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true };

test('the cache claim is one ReadWriteOnce volume of the cache size, owned by the App', (t) => {
  const claim = buildCacheClaim('team', 'web', '5Gi', undefined, owner);
  t.notThrows(() => new PersistentVolumeClaim(claim as never).validate());
  t.deepEqual(unknownFields(claim, 'V1PersistentVolumeClaim'), []);
  t.is(claim.metadata!.name, 'web-cache');
  t.is(claim.metadata!.labels!['app.kubernetes.io/component'], 'cache');
  t.deepEqual(claim.metadata!.ownerReferences, [owner]);
  t.deepEqual(claim.spec!.accessModes, ['ReadWriteOnce']);
  t.deepEqual(claim.spec!.resources!.requests, { storage: '5Gi' });
  t.false('storageClassName' in claim.spec!);
});

test('a configured storage class is used', (t) => {
  t.is(buildCacheClaim('team', 'web', '5Gi', 'fast-ssd').spec!.storageClassName, 'fast-ssd');
});
