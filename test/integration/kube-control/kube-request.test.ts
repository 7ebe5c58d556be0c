/**
 * kubeRequest over a real socket: what reaches the API server (method, path, query,
 * headers, body) and how answers come back (JSON, text, a non-2xx as client-node's
 * ApiException, an abort), through the shared undici Agent's `request`.
 */
import test from 'ava';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { kubeRequest } from '../../../controller/adapters/kube/control/kube-request.ts';
import { isKubeStatus, kubeFailure } from '../../../controller/adapters/kube/kube-errors.ts';
import { shareConnections } from '../../../controller/adapters/kube/share-connections.ts';

type Seen = { method?: string; url?: string; headers: IncomingMessage['headers']; body: string };

async function api(t: { teardown(fn: () => void): void }, answer: (seen: Seen) => { status: number; body: string; type?: string } | undefined) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => {
      const s = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(s);
      const a = answer(s);
      if (a) res.writeHead(a.status, { 'content-type': a.type ?? 'application/json', 'x-kube': 'yes' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'the-token' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
  return { kc: shareConnections(kc), seen };
}

test('a PATCH carries its path, query, patch type, credentials and body; the JSON answer comes back parsed', async (t) => {
  const { kc, seen } = await api(t, () => ({ status: 200, body: '{"kind":"Secret","metadata":{"name":"s"}}' }));
  const out = await kubeRequest<{ kind: string }>(kc, { method: 'PATCH', path: '/api/v1/namespaces/a%2Fb/secrets/s', query: { fieldManager: 'slipway', force: true, dryRun: undefined }, patch: 'apply', body: { kind: 'Secret' } });
  t.deepEqual(out, { kind: 'Secret', metadata: { name: 's' } });
  t.like(seen[0], { method: 'PATCH', url: '/api/v1/namespaces/a%2Fb/secrets/s?fieldManager=slipway&force=true', body: '{"kind":"Secret"}' });
  t.like(seen[0]!.headers, { 'content-type': 'application/apply-patch+yaml', accept: 'application/json', authorization: 'Bearer the-token' });
});

test('a text answer comes back as text; an empty 2xx as undefined', async (t) => {
  const { kc } = await api(t, (s) => (s.method === 'DELETE' ? { status: 200, body: '' } : { status: 200, body: 'line 1\nline 2\n', type: 'text/plain' }));
  t.is(await kubeRequest<string>(kc, { method: 'GET', path: '/api/v1/namespaces/n/pods/p/log', responseType: 'text' }), 'line 1\nline 2\n');
  t.is(await kubeRequest(kc, { method: 'DELETE', path: '/api/v1/namespaces/n/pods/p' }), undefined);
});

test('a non-2xx answer rejects with an ApiException holding the status, the Status body and the headers', async (t) => {
  const status = JSON.stringify({ kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' });
  const { kc } = await api(t, () => ({ status: 409, body: status }));
  const error = await t.throwsAsync(kubeRequest(kc, { method: 'PUT', path: '/apis/slipway.dev/v1/namespaces/n/apps/a/status', body: {} }));
  t.true(error instanceof ApiException);
  t.true(isKubeStatus(error, 409));
  t.like(kubeFailure(error), { reason: 'Conflict', message: 'the object has been modified' });
  t.is((error as ApiException<string>).headers['x-kube'], 'yes');
});

test('an abort ends a request that has no answer yet with the signal\'s reason', async (t) => {
  const { kc, seen } = await api(t, () => undefined);
  const controller = new AbortController();
  const pending = kubeRequest(kc, { method: 'GET', path: '/api/v1/namespaces/n/pods', signal: controller.signal });
  const deadline = Date.now() + 5_000;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  const error = await t.throwsAsync(pending);
  t.is(error?.name, 'AbortError');
});
