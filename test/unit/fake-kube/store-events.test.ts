/**
 * Store events share the stored object instead of copying it; what callers get back, and
 * the events already in the history, must stay as they were.
 */
import test from 'ava';
import { createStore } from '../../helpers/fake-kube/store.ts';

test('events keep their resourceVersion and content after later writes, a delete, and changes to returned copies', (t) => {
  const store = createStore();
  const start = store.currentRv();
  const first = store.put('/configmaps', { metadata: { name: 'a', namespace: 'n' }, data: { v: '1' } } as never);
  first.metadata.labels = { changed: 'by the caller' };
  store.put('/configmaps', { metadata: { name: 'a', namespace: 'n' }, data: { v: '2' } } as never);
  const got = store.get('/configmaps', 'n', 'a')!;
  (got as unknown as { data: Record<string, string> }).data.v = 'changed by a reader';
  store.remove('/configmaps', 'n', 'a');
  const events = store.since(start)!;
  t.deepEqual(events.map((e) => [e.type, e.rv, e.object.metadata.resourceVersion, (e.object as { data?: { v: string } }).data?.v, e.object.metadata.labels]), [
    ['ADDED', start + 1, String(start + 1), '1', undefined],
    ['MODIFIED', start + 2, String(start + 2), '2', undefined],
    ['DELETED', start + 3, String(start + 3), '2', undefined],
  ]);
  t.false(store.has('/configmaps', 'n', 'a'));
});
