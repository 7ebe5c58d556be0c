import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeKube } from '../../helpers/fake-kube/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * In a fresh process (module loading is per process): the slim KubeConfig from
 * KUBECONFIG, then a request through kubeRequest and a watch event through the
 * deep-path Watch. Prints what it got and how many generated models were resolved.
 */
const CHILD = `
import { registerHooks } from 'node:module';
const { loadKubeConfigClass, registerSlimKubeConfig } = await import('./controller/adapters/kube/slim-kube-config.ts');
registerSlimKubeConfig();
// Registered last, so it runs first and sees what the redirect answers.
const resolved = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r; } });
const KubeConfig = await loadKubeConfigClass();
const kc = new KubeConfig();
kc.loadFromDefault();
const { kubeRequest } = await import('./controller/adapters/kube/control/kube-request.ts');
const { Watch } = await import('@kubernetes/client-node/dist/watch.js');
const ns = await kubeRequest(kc, { method: 'GET', path: '/api/v1/namespaces/slim-test' });
const event = await new Promise((resolve, reject) => {
  new Watch(kc).watch('/api/v1/namespaces', { fieldSelector: 'metadata.name=slim-test' }, (type, obj) => resolve(type + ' ' + obj.metadata.name), reject)
    .then((controller) => setTimeout(() => controller.abort(), 10_000), reject);
});
const models = resolved.filter((url) => url.includes('/client-node/dist/gen/models/') || url.includes('/client-node/dist/gen/apis/') && !url.endsWith('/exception.js'));
console.log(JSON.stringify({ uid: ns.metadata.uid, event, models: models.length, slim: resolved.some((url) => url.startsWith('data:')) }));
process.exit(0);
`;

test('the KubeConfig loads without the generated models and still authenticates requests and watches', async (t) => {
  const kube = await startFakeKube();
  const dir = await mkdtemp(join(tmpdir(), 'slim-kc-'));
  t.teardown(async () => { await kube.close(); await rm(dir, { recursive: true, force: true }); });
  const created = await kube.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slim-test' } } as never) as { metadata: { uid: string } };
  const kubeconfig = await kube.writeKubeconfig(dir);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { cwd: root, env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr.slice(0, 2000)}`))));
  });
  const result = JSON.parse(out.trim().split('\n').pop()!) as { uid: string; event: string; models: number; slim: boolean };
  t.deepEqual(result, { uid: created.metadata.uid, event: 'ADDED slim-test', models: 0, slim: true });
});

/**
 * In a fresh process: the slim KubeConfig from a kubeconfig whose user is `user` (JSON),
 * the Authorization header it puts on a request, and which auth-provider plugins were
 * loaded before and after that request.
 */
function authenticate(user: object): Promise<{ header?: string; before: string[]; after: string[] }> {
  const program = `
import { registerHooks } from 'node:module';
const { loadKubeConfigClass, registerSlimKubeConfig } = await import('./controller/adapters/kube/slim-kube-config.ts');
registerSlimKubeConfig();
const loaded = new Set();
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); const m = /client-node\\/dist\\/(oidc|azure|gcp)_auth\\.js$|\\/(openid-client|jsonpath-plus)\\//.exec(r.url); if (m) loaded.add(m[1] ?? m[2]); return r; } });
const KubeConfig = await loadKubeConfigClass();
const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
  users: [{ name: 'u', ...${JSON.stringify(user)} }],
  contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
  currentContext: 'x',
});
const before = [...loaded].sort();
const opts = { headers: {} };
await kc.applyAuthorizationHeader(opts);
console.log(JSON.stringify({ header: opts.headers.Authorization, before, after: [...loaded].sort() }));
process.exit(0);
`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}: ${stderr.slice(0, 2000)}`))));
  });
}

const future = new Date(Date.now() + 3_600_000).toISOString();
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const idToken = `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, sub: 'me' })}.c2ln`;

test('a token user loads no auth-provider plugin', async (t) => {
  t.deepEqual(await authenticate({ token: 'plain' }), { header: 'Bearer plain', before: [], after: [] });
});

test('an oidc auth-provider loads the OIDC plugin (and openid-client) on its first request, which sends its id-token', async (t) => {
  const result = await authenticate({ authProvider: { name: 'oidc', config: { 'id-token': idToken, 'client-id': 'k', 'idp-issuer-url': 'https://issuer.invalid' } } });
  t.deepEqual(result, { header: `Bearer ${idToken}`, before: [], after: ['oidc', 'openid-client'] });
});

test('an azure auth-provider loads the Azure plugin on its first request, which sends its access token', async (t) => {
  const result = await authenticate({ authProvider: { name: 'azure', config: { 'access-token': 'az-token', expiry: future } } });
  t.deepEqual(result, { header: 'Bearer az-token', before: [], after: ['azure', 'jsonpath-plus'] });
});

test('a gcp auth-provider loads the GCP plugin on its first request, which sends its access token', async (t) => {
  const result = await authenticate({ authProvider: { name: 'gcp', config: { 'access-token': 'gcp-token', expiry: future } } });
  t.deepEqual(result, { header: 'Bearer gcp-token', before: [], after: ['gcp', 'jsonpath-plus'] });
});
