/** cloneJson copies what the fake stores exactly as structuredClone did, sharing nothing. */
import test from 'ava';
import { cloneJson } from '../../helpers/fake-kube/json-clone.ts';

test('a deep copy equal to the original that shares no object or array with it', (t) => {
  const original = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', env: [{ name: 'A', value: '1' }] }], replicas: 2, paused: false, note: null, gone: undefined } };
  const copy = cloneJson(original);
  t.deepEqual(copy, structuredClone(original));
  t.true('gone' in copy.spec, 'an undefined-valued key stays, as with structuredClone');
  copy.metadata.labels.app = 'changed';
  copy.spec.containers[0]!.env[0]!.value = '2';
  t.is(original.metadata.labels.app, 'web');
  t.is(original.spec.containers[0]!.env[0]!.value, '1');
});

test('an own "__proto__" key stays a key; a Date stays a Date', (t) => {
  const parsed = JSON.parse('{"data":{"__proto__":{"polluted":true}}}') as { data: Record<string, unknown> };
  const copy = cloneJson(parsed);
  t.true(Object.hasOwn(copy.data, '__proto__'));
  t.is(Object.getPrototypeOf(copy.data), Object.prototype);
  t.is((copy.data as { polluted?: unknown }).polluted, undefined);
  const when = new Date(0);
  const withDate = cloneJson({ when });
  t.true(withDate.when instanceof Date);
  t.not(withDate.when, when);
  t.is(withDate.when.getTime(), 0);
});
