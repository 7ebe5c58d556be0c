import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeKube, type FakeKube } from '../../helpers/fake-kube/index.ts';

const run = promisify(execFile);
const crdFile = fileURLToPath(new URL('fixtures/app-crd.yaml', import.meta.url));
let kube: FakeKube;
let dir: string;
let kubectl: ((...args: string[]) => Promise<string>) | undefined;

test.before(async () => {
  kube = await startFakeKube({ crds: [crdFile] });
  dir = await mkdtemp(join(tmpdir(), 'fake-kube-kubectl-'));
  const config = await kube.writeKubeconfig(dir);
  // Async: kubectl talks to this very process, so a synchronous spawn would deadlock.
  const k = async (...args: string[]) => (await run('kubectl', ['--kubeconfig', config, ...args], { env: { ...process.env, HOME: dir } })).stdout;
  kubectl = await k('version', '--client').then(() => k, () => undefined);
});
test.after.always(async () => {
  await kube.close();
  await rm(dir, { recursive: true, force: true });
});

test('kubectl apply --server-side and get work against the fake', async (t) => {
  if (!kubectl) {
    t.pass('kubectl is not installed here');
    return;
  }
  const file = join(dir, 'app.yaml');
  await writeFile(file, 'apiVersion: slipway.dev/v1alpha1\nkind: App\nmetadata:\n  name: blog\nspec:\n  repo: https://example.com/x.git\n  replicas: 2\n');
  t.regex(await kubectl('apply', '--server-side', '--validate=false', '-f', file), /app\.slipway\.dev\/blog serverside-applied/);
  t.like(kube.requests.find((r) => r.method === 'PATCH'), { contentType: 'application/apply-patch+yaml', fieldManager: 'kubectl' });
  const list = JSON.parse(await kubectl('get', 'apps.slipway.dev', '-o', 'json')) as { items: { metadata: { name: string }; spec: { replicas: number } }[] };
  t.deepEqual(list.items.map((i) => [i.metadata.name, i.spec.replicas]), [['blog', 2]]);
  t.regex(await kubectl('get', 'apps.slipway.dev'), /NAME\s+PHASE\s+AGE\nblog\s/);
});
