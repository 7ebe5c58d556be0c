import test from 'ava';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAddressGuard } from '../../../../../controller/adapters/git/address-guard.ts';
import { createGuardedHttp } from '../../../../../controller/adapters/git/guarded-http.ts';
import { gitTimeout } from '../../../../../core/error-cases.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const client = (maxBytes = 1 << 20) => createGuardedHttp({
  guard: createAddressGuard({ allowedHosts: ['127.0.0.1', 'localhost'] }),
  maxBytes,
  signal: new AbortController().signal,
  abortError: () => gitTimeout('x', 1),
  displayUrl: 'http://127.0.0.1/repo.git',
});

test('Authorization is dropped when a redirect changes origin, kept on the same origin', async (t) => {
  const seen: IncomingHttpHeaders[] = [];
  const target = await listen((req, res) => { seen.push(req.headers); res.end('ok'); });
  const port = new URL(target.url).port;
  const redirector = await listen((req, res) => {
    if (req.url === '/same') res.writeHead(302, { location: '/final' }).end();
    else if (req.url === '/final') { seen.push(req.headers); res.end('ok'); }
    else res.writeHead(302, { location: `http://localhost:${port}/elsewhere` }).end();
  });
  t.teardown(() => { target.server.close(); redirector.server.close(); });
  const headers = { authorization: 'Basic c2VjcmV0' };
  await client().request({ url: `${redirector.url}/cross`, headers });
  t.is(seen.at(-1)!.authorization, undefined);
  await client().request({ url: `${redirector.url}/same`, headers });
  t.is(seen.at(-1)!.authorization, 'Basic c2VjcmV0');
});

test('more than five redirects are git_unreachable', async (t) => {
  const loop = await listen((req, res) => res.writeHead(302, { location: req.url + 'x' }).end());
  t.teardown(() => loop.server.close());
  t.true(isSlipwayError(await t.throwsAsync(client().request({ url: `${loop.url}/` })), 'git_unreachable'));
});

test('a response over the byte cap is git_too_large', async (t) => {
  const big = await listen((_req, res) => res.end(Buffer.alloc(100_000)));
  t.teardown(() => big.server.close());
  const response = await client(10_000).request({ url: big.url });
  const read = async () => { for await (const _ of response.body) { /* read */ } };
  t.true(isSlipwayError(await t.throwsAsync(read()), 'git_too_large'));
});

test('a redirect to another scheme is refused', async (t) => {
  const redirector = await listen((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
  t.teardown(() => redirector.server.close());
  t.true(isSlipwayError(await t.throwsAsync(client().request({ url: redirector.url })), 'invalid_git_url'));
});
