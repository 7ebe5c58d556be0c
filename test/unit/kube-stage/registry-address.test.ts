import test from 'ava';
import { pullReference, pushReference, registryHost } from '../../../controller/adapters/kube/runtime/registry-address.ts';

const split = { registry: 'registry.slipway-system.svc.cluster.local:5000', registryPull: '127.0.0.1:30500' };

test('an image pushed to the push address is pulled from the pull address, same repository and tag', (t) => {
  t.is(pullReference('registry.slipway-system.svc.cluster.local:5000/team-web:s1', split), '127.0.0.1:30500/team-web:s1');
  t.is(pushReference('127.0.0.1:30500/team-web:s1', split), 'registry.slipway-system.svc.cluster.local:5000/team-web:s1');
});

test('references elsewhere, or with one address, are left alone', (t) => {
  t.is(pullReference('nginx:1.27', split), 'nginx:1.27');
  t.is(pullReference('127.0.0.1:30500/team-web:s1', split), '127.0.0.1:30500/team-web:s1');
  t.is(pullReference('registry.slipway-system.svc.cluster.local:50000/x:1', split), 'registry.slipway-system.svc.cluster.local:50000/x:1');
  t.is(pullReference('r.example.com/apps/team-web:s1', { registry: 'r.example.com/apps' }), 'r.example.com/apps/team-web:s1');
});

test('the registry host drops the path', (t) => {
  t.is(registryHost('registry.example.com:5000/apps'), 'registry.example.com:5000');
  t.is(registryHost('127.0.0.1:30500'), '127.0.0.1:30500');
});
