/**
 * How updateApp behaves under contention: N concurrent updates of one App from two
 * store instances (two replicas) against the fake API server. Prints time, failures,
 * the keys that landed and the PUTs it took. Not a test (ava runs *.test.ts only):
 *   node test/integration/kube-state/contention.bench.ts 50
 */
import { fileURLToPath } from 'node:url';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';
import { createKubeStateStore } from '../../../controller/adapters/kube/state/kube-state-store.ts';
import { systemClock } from '../../../core/ports/clock.ts';
const kube = await startFakeKube({ crds: [fileURLToPath(new URL('../../../charts/slipway/crds/apps.slipway.dev.yaml', import.meta.url))] });
const a = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock });
const b = createKubeStateStore({ kc: kube.kubeConfig(), clock: systemClock });
await a.createNamespace('ns');
await a.createApp({ metadata: { namespace: 'ns', name: 'web', resourceVersion: '', generation: 0, createdAt: '' }, spec: { instances: 1, env: {}, routes: [] } });
const n = Number(process.argv[2] ?? 50);
const t0 = performance.now();
const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => (i % 2 ? a : b).updateApp('ns', 'web', (app) => ({ ...app, spec: { ...app.spec, env: { ...app.spec.env, [`K${i}`]: 'x' } } }))));
const ms = performance.now() - t0;
const app = await a.getApp('ns', 'web');
console.log({ n, ms: Math.round(ms), failed: results.filter((r) => r.status === 'rejected').length, keys: Object.keys(app!.spec.env).length, puts: kube.requests.filter((r) => r.method === 'PUT').length });
await kube.close();
