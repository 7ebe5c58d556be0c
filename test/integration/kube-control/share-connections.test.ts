/**
 * client-node 2.0 opens a new connection for every request when TLS options are set
 * (always in a cluster); shareConnections makes requests reuse keep-alive connections.
 * Counted on a real HTTP server's accepted sockets.
 */
import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { shareConnections } from '../../../controller/adapters/kube/share-connections.ts';

async function countingApi(t: { teardown(fn: () => void): void }) {
  let connections = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }));
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
  return { kc, connections: () => connections };
}

const sequential = async (api: CoreV1Api, n: number) => {
  for (let i = 0; i < n; i++) await api.readNamespace({ name: 'ns' });
};

test('requests through a shared KubeConfig reuse connections', async (t) => {
  const { kc, connections } = await countingApi(t);
  await sequential(shareConnections(kc).makeApiClient(CoreV1Api), 30);
  t.true(connections() <= 2, `${connections()} connections for 30 requests`);
});

test('without sharing, client-node opens one per request (the reason for shareConnections)', async (t) => {
  const { kc, connections } = await countingApi(t);
  await sequential(kc.makeApiClient(CoreV1Api), 30);
  t.true(connections() >= 25, `${connections()} connections for 30 requests`);
});

test('one pool per distinct server and TLS material, told apart byte for byte', async (t) => {
  const { kc } = await countingApi(t);
  const shared = shareConnections(kc) as unknown as { createDispatcher(cluster: { server?: string; name?: string } | null, options: Record<string, unknown>): unknown };
  const cluster = { server: 'https://10.0.0.1:6443', name: 'c' };
  // client-node reads the CA into a fresh Buffer on every request.
  const options = (ca: string) => ({ ca: Buffer.from(ca), cert: undefined, key: undefined, rejectUnauthorized: true });
  const first = shared.createDispatcher(cluster, options('ca one'));
  t.truthy(first);
  t.is(shared.createDispatcher(cluster, options('ca one')), first, 'the same options in new Buffers share the pool');
  t.not(shared.createDispatcher(cluster, options('ca two')), first, 'another CA gets its own pool');
  t.not(shared.createDispatcher({ ...cluster, server: 'https://10.0.0.2:6443' }, options('ca one')), first, 'another server gets its own pool');
  t.not(shared.createDispatcher(cluster, { ...options('ca one'), rejectUnauthorized: false }), first, 'another TLS setting gets its own pool');
  t.not(shared.createDispatcher(cluster, { ...options('ca one'), servername: 'api' }), first, 'an extra option gets its own pool');
});
