/** scopedPaths walks only the tracked parts of an object; it must give what filtering every leaf path gave. */
import test from 'ava';
import { leafPaths, scopedPaths, type FieldPath } from '../../helpers/fake-kube/fieldset.ts';

// The definition scopedPaths had before it skipped the untracked parts.
const byFilter = (object: unknown, subresource?: string): FieldPath[] => leafPaths(object).filter((p) => {
  if (subresource === 'status') return p[0] === 'f:status';
  if (p[0] === 'f:status' || p[0] === 'f:apiVersion' || p[0] === 'f:kind') return false;
  if (p[0] === 'f:metadata') return p[1] === 'f:labels' || p[1] === 'f:annotations';
  return true;
});

const objects: unknown[] = [
  {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'n', labels: { app: 'web' }, annotations: {}, managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }], resourceVersion: '3' },
    spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'i', env: [{ name: 'A', value: '1' }] }], volumes: [] } }, strategy: {} },
    status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
  },
  { metadata: {}, data: { a: '1' } },
  { metadata: [{ name: 'odd' }], status: 'x', spec: [{ name: 'a', v: 1 }, { name: 'b' }] },
  { kind: 'ConfigMap', metadata: { annotations: { a: 'b' }, labels: {} }, status: {} },
  {},
  'not an object',
];

test('the same paths in the same order as filtering all leaf paths, for spec and for status', (t) => {
  for (const object of objects) {
    t.deepEqual(scopedPaths(object), byFilter(object));
    t.deepEqual(scopedPaths(object, 'status'), byFilter(object, 'status'));
  }
});
