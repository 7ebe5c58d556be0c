import test from 'ava';
import { ApiException } from '@kubernetes/client-node';
import { isNamespaceMissing, isObjectMissing } from '../../../controller/adapters/kube/state/not-found.ts';

const answer = (code: number, body: unknown) => new ApiException(code, 'x', typeof body === 'string' ? body : JSON.stringify(body), {});
const appGone = answer(404, { kind: 'Status', reason: 'NotFound', message: 'apps.slipway.dev "web" not found', details: { name: 'web', group: 'slipway.dev', kind: 'apps' }, code: 404 });
const nsGone = answer(404, { kind: 'Status', reason: 'NotFound', message: 'namespaces "ns" not found', details: { name: 'ns', kind: 'namespaces' }, code: 404 });
const typeGone = answer(404, '404 page not found\n');

const sorts = test.macro({
  exec(t, error: unknown, object: boolean, namespace: boolean) {
    t.is(isObjectMissing(error, 'web'), object);
    t.is(isNamespaceMissing(error, 'ns'), namespace);
  },
  title: (given = '') => `a 404 for ${given} is told apart`,
});

test('a missing App', sorts, appGone, true, false);
test('a missing namespace', sorts, nsGone, false, true);
test('a missing resource type (no CRD)', sorts, typeGone, false, false);
test('a conflict', sorts, answer(409, { reason: 'Conflict', details: { name: 'web' } }), false, false);
