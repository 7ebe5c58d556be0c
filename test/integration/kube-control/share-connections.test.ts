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
