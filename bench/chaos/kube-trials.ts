/**
 * Chaos trials on the Kubernetes runtime against the fake API of test/helpers/fake-kube
 * (with S3 emulated), in this process. Two `slipway server` replicas run as their own
 * processes on a 2 s Lease. A small cluster simulation stands in for the kubelet: a
 * staging Job completes a few hundred ms after it appears while its run is staging (a
 * build nobody follows any more is left running, and counts as an orphan), and a
 * Deployment rolls out a few hundred ms after its template changed. In each trial one
 * or two apps are pushed, the leader is killed with SIGKILL while a run stages or
 * rolls out, the standby takes over, and the killed replica comes back on its data
 * folder as the new standby.
 */
import { rm } from 'node:fs/promises';
import { templateHash } from '../../test/helpers/fake-kube/controllers/deployments.ts';
import type { KubeObject } from '../../test/helpers/fake-kube/index.ts';
import { startKubeWorld, type KubeWorld } from '../../test/helpers/kube-server.ts';
import { emulatorCredentials } from '../../test/helpers/s3-emulator.ts';
import { startServerProcess, type ServerProcess } from '../../test/helpers/server-process.ts';
import { makeTempDir } from '../../test/helpers/temp-dir.ts';
import { createApiClient, type ApiClient } from '../../cli/api-client.ts';
import { packDirectory } from '../../cli/pack-directory.ts';
import type { Run } from '../../core/types.ts';
import { tempBytes } from './leftovers.ts';
import { waitUntil, type TrialResult } from './report.ts';
import { appFolder, type AppFolder } from './sources.ts';

const PASSWORD = 'chaos-admin-password';
const NAMESPACE = 'workspace';
const APPS = ['web1', 'web2'];
const FINAL = new Set(['succeeded', 'failed']);

/** Settings of {@link runKubeTrials}. */
export interface KubeTrialOptions {
  trials: number;
  random: () => number;
  /** The kill comes 0 to a fifth of this many ms after a run reached the chosen phase. */
  maxKillMs: number;
  settleMs: number;
  onResult: (result: TrialResult) => void;
}

interface Replica {
  name: string;
  dataDir: string;
  process?: ServerProcess;
}

/** Runs the trials; resolves with their results. */
export async function runKubeTrials(options: KubeTrialOptions): Promise<TrialResult[]> {
  const world = await startKubeWorld({ autoJobs: 'manual', autoRollout: false });
  const temp = await makeTempDir('slipway-chaos-kube-');
  const kubeconfig = await world.kube.writeKubeconfig(temp.dir);
  const replicas: Replica[] = [];
  for (const name of ['chaos-a', 'chaos-b']) replicas.push({ name, dataDir: (await makeTempDir(`slipway-chaos-${name}-`)).dir });
  const start = async (replica: Replica) => {
    replica.process = await startServerProcess({
      SLIPWAY_DATA_DIR: replica.dataDir, SLIPWAY_ADMIN_PASSWORD: PASSWORD, SLIPWAY_RUNTIME: 'kubernetes', KUBECONFIG: kubeconfig,
      SLIPWAY_S3_ENDPOINT: world.s3.endpoint, SLIPWAY_S3_BUCKET: 'slipway-chaos', AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey, SLIPWAY_REGISTRY: 'registry.test', SLIPWAY_SYSTEM_DOMAIN: 'apps.test',
      SLIPWAY_LEASE_DURATION_MS: '2000', SLIPWAY_POD_NAME: replica.name, SLIPWAY_LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'error',
    }, 60_000);
  };
  const cluster = simulateCluster(world, options.random);
  let folder: AppFolder | undefined;
  try {
    for (const replica of replicas) await start(replica);
    await waitUntil(() => replicas.some((r) => r.name === holder(world)), 15_000);
    folder = await appFolder('node-hello');
    const push = async (api: ApiClient, app: string, token: string) => {
      await folder!.mark(token);
      const stored = await api.storeSource(NAMESPACE, app, (await packDirectory(folder!.dir)).stream);
      return api.createDeployment(NAMESPACE, app, { blobuid: stored.blobuid });
    };
    let api = client(replicas[0]!.process!.url);
    for (const app of APPS) {
      await api.createApp(NAMESPACE, { name: app });
      const run = await push(api, app, `${app}-initial`);
      await waitUntil(async () => FINAL.has((await api.getDeployment(NAMESPACE, app, run.id)).phase), 30_000);
    }

    const results: TrialResult[] = [];
    for (let trial = 1; trial <= options.trials; trial++) {
      const notes: string[] = [];
      const releasesBefore = releaseNumbers(world);
      // An app that already did not serve its release (an earlier trial broke it) is not counted again.
      const servedBefore = new Set(APPS.filter((app) => servesRelease(world, app, 0)));
      const runsBefore = new Set(APPS.flatMap((app) => runsOf(world, app).map((r) => r.id)));
      const jobsBefore = cluster.jobsSeen();
      const chosen = APPS.filter(() => options.random() < 0.6);
      if (chosen.length === 0) chosen.push(APPS[Math.floor(options.random() * APPS.length)]!);
      const phase = options.random() < 0.5 ? 'staging' : 'deploying';
      // Pushes go to either replica: the standby hands them to the leader.
      const via = replicas[Math.floor(options.random() * replicas.length)]!;
      api = client(via.process!.url);
      let requested = 0;
      const sender = api;
      const pushing = chosen.map(async (app) => {
        requested++;
        await push(sender, app, `${app}-t${trial}`);
      }).map((pushed) => pushed.catch(() => undefined)); // the kill may fail them; no matter
      const reached = await waitUntil(() => chosen.some((app) => runsOf(world, app).some((r) => !runsBefore.has(r.id) && r.phase === phase)), 15_000);
      const delay = Math.round(options.random() * options.maxKillMs / 5);
      await new Promise((resolve) => setTimeout(resolve, delay));
      const before = releaseNumbers(world);
      const leader = replicas.find((r) => r.name === holder(world));
      if (!leader) {
        notes.push('no leader to kill');
        continue;
      }
      await leader.process!.stop('SIGKILL');
      await Promise.all(pushing);
      const standby = replicas.find((r) => r !== leader)!;
      if (!(await waitUntil(() => holder(world) === standby.name, 15_000))) notes.push('the standby did not take over');
      await start(leader);
      api = client(standby.process!.url);

      const settled = await waitUntil(() => activeRuns(world).length === 0, options.settleMs);
      const stuck = settled ? [] : activeRuns(world);
      if (stuck.length) notes.push(`stuck: ${stuck.join(', ')}`);
      let lost = 0;
      for (const app of APPS) {
        const floor = before.get(app) ?? 0;
        const serving = await waitUntil(() => servesRelease(world, app, floor), 5_000);
        if (!serving && !servedBefore.has(app)) notes.push(`${app} still does not serve its release`);
        else if (!serving) {
          lost++;
          const release = appOf(world, app)?.status?.release;
          const deployment = world.kube.object('apps/v1', 'Deployment', NAMESPACE, app) as KubeObject & { spec: any; status?: any } | undefined;
          const image: string | undefined = deployment?.spec?.template?.spec?.containers?.[0]?.image;
          const from = runsOf(world, app).find((r) => r.image === image);
          const runs = image === release?.image ? 'runs it' : `runs ${from ? `the image of run ${from.id} (${from.phase}${from.error ? ` ${from.error.code}` : ''})` : 'an image of no run'}`;
          notes.push(`${app} lost release ≥ ${floor} (release ${release?.number ?? 'none'}; Deployment ${deployment ? `${runs}, ${deployment.status?.readyReplicas ?? 0} ready` : 'missing'})`);
          // CHAOS_LOG_LEVEL=info shows what the new leader logged about the app.
          if (process.env.CHAOS_LOG_LEVEL) for (const line of standby.process!.stdout().split('\n').filter((l) => l.includes(`"${app}"`))) console.error(`  ${standby.name}: ${line}`);
        }
      }
      const orphanJobs = cluster.runningJobs().filter((job) => !activeRuns(world).some((r) => r.includes(job.stageId)));
      if (orphanJobs.length) notes.push(`builds left running: ${orphanJobs.map((j) => j.name).join(' ')}`);
      const leftovers = await Promise.all(replicas.map((r) => tempBytes(r.dataDir)));
      const tmp = leftovers.reduce((sum, l) => sum + l.tmp, 0);
      const dotTmp = leftovers.reduce((sum, l) => sum + l.dotTmp, 0);
      const tempTotal = tmp + dotTmp;
      if (tempTotal) notes.push(`temp: ${tmp} B in tmp/, ${dotTmp} B in .tmp files`);
      const jobs = cluster.jobsSeen() - jobsBefore;
      const releasesAfter = releaseNumbers(world);
      const releases = APPS.reduce((sum, app) => sum + Math.max(0, (releasesAfter.get(app) ?? 0) - (releasesBefore.get(app) ?? 0)), 0);
      const duplicates = Math.max(0, jobs - requested, releases - requested);
      if (duplicates) notes.push(`${jobs} Jobs, ${releases} releases for ${requested} pushes`);
      const result: TrialResult = {
        trial, moment: `${reached ? phase : `not ${phase}`} +${delay} ms`, pushes: requested, releasesLost: lost, runsStuck: stuck.length,
        orphans: orphanJobs.length, tempBytes: tempTotal, duplicateBuilds: duplicates, notes,
      };
      results.push(result);
      options.onResult(result);
      // The next trial starts from a quiet cluster (builds left running are finished off)
      // and from apps that serve their release: one push without a kill mends a broken one.
      for (const job of orphanJobs) world.kube.jobs.complete(NAMESPACE, job.name);
      for (const app of APPS.filter((a) => !servesRelease(world, a, 0))) {
        const mend = await push(api, app, `${app}-mend${trial}`).catch(() => undefined);
        if (mend) await waitUntil(async () => FINAL.has((await api.getDeployment(NAMESPACE, app, mend.id)).phase), 30_000);
      }
    }
    return results;
  } finally {
    cluster.stop();
    await Promise.all(replicas.map((r) => r.process?.stop('SIGKILL')));
    await folder?.cleanup();
    await world.close();
    await temp.cleanup();
    await Promise.all(replicas.map((r) => rm(r.dataDir, { recursive: true, force: true })));
  }
}

function client(url: string): ApiClient {
  return createApiClient({ url, user: 'admin', password: PASSWORD });
}

const holder = (world: KubeWorld): string | undefined =>
  (world.kube.object('coordination.k8s.io/v1', 'Lease', 'slipway-system', 'slipway-controller') as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;

type AppObject = KubeObject & { status?: { run?: Run; runs?: Run[]; release?: { number: number; image: string } } };

const appOf = (world: KubeWorld, app: string) => world.kube.object('slipway.dev/v1alpha1', 'App', NAMESPACE, app) as AppObject | undefined;

function runsOf(world: KubeWorld, app: string): Run[] {
  const status = appOf(world, app)?.status;
  const runs = [...(status?.runs ?? [])];
  if (status?.run && !runs.some((r) => r.id === status.run!.id)) runs.push(status.run);
  return runs;
}

/** True when the App has a release numbered `floor` or later and its Deployment runs that release's image, ready. */
function servesRelease(world: KubeWorld, app: string, floor: number): boolean {
  const release = appOf(world, app)?.status?.release;
  const deployment = world.kube.object('apps/v1', 'Deployment', NAMESPACE, app) as KubeObject & { spec: any; status?: any } | undefined;
  const image = deployment?.spec?.template?.spec?.containers?.[0]?.image;
  return !!release && release.number >= floor && image === release.image && (deployment?.status?.readyReplicas ?? 0) >= (deployment?.spec?.replicas ?? 1);
}

function releaseNumbers(world: KubeWorld): Map<string, number> {
  return new Map(APPS.map((app) => [app, appOf(world, app)?.status?.release?.number ?? 0]));
}

/** "app/run-id phase stage-id" of every run not final. */
function activeRuns(world: KubeWorld): string[] {
  return APPS.flatMap((app) => runsOf(world, app).filter((r) => !FINAL.has(r.phase)).map((r) => `${app}/${r.id} ${r.phase} ${r.stageId ?? ''}`));
}

/**
 * The kubelet's part: staging Jobs finish while their run is staging, Deployments roll
 * out; each after a random 200–800 ms. Counts every Job it ever saw.
 */
function simulateCluster(world: KubeWorld, random: () => number) {
  const firstSeen = new Map<string, { at: number; after: number }>();
  const seen = new Set<string>();
  const due = (key: string) => {
    let entry = firstSeen.get(key);
    if (!entry) firstSeen.set(key, (entry = { at: Date.now(), after: 200 + random() * 600 }));
    return Date.now() - entry.at >= entry.after;
  };
  const running = () => world.kube.objects('batch/v1', 'Job', NAMESPACE)
    .filter((job) => !(job.status as { succeeded?: number; failed?: number } | undefined)?.succeeded && !(job.status as { failed?: number } | undefined)?.failed)
    .map((job) => ({ name: job.metadata.name!, stageId: job.metadata.labels?.['slipway.dev/stage-id'] ?? '' }));
  const timer = setInterval(() => {
    for (const job of world.kube.objects('batch/v1', 'Job', NAMESPACE)) seen.add(job.metadata.uid!);
    const staging = new Set(APPS.flatMap((app) => runsOf(world, app).filter((r) => r.phase === 'staging').map((r) => r.stageId)));
    for (const job of running()) if (staging.has(job.stageId) && due(`job/${job.name}`)) world.kube.jobs.complete(NAMESPACE, job.name);
    for (const deployment of world.kube.objects('apps/v1', 'Deployment', NAMESPACE) as (KubeObject & { spec: any; status?: any })[]) {
      const ready = (deployment.status?.readyReplicas ?? 0) >= (deployment.spec?.replicas ?? 1);
      if (!ready && due(`deploy/${deployment.metadata.name}/${templateHash(deployment.spec?.template)}`)) world.kube.deployments.rollout(NAMESPACE, deployment.metadata.name!);
    }
  }, 50);
  return {
    jobsSeen: () => seen.size,
    runningJobs: running,
    stop: () => clearInterval(timer),
  };
}
