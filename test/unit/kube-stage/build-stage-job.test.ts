import test from 'ava';
import { Job } from 'kubernetes-models/batch/v1';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import { buildStageJob, type StageJobParams } from '../../../controller/adapters/kube/runtime/stage/build-stage-job.ts';
import type { KubeStagerSettings } from '../../../controller/adapters/kube/runtime/stage/stage-settings.ts';
import { unknownFields } from './unknown-fields.ts';

const BLOBUID = '0b9e7c1a-5d2f-4c3e-9a8b-7f6e5d4c3b2a';

const settings: KubeStagerSettings = {
  systemNamespace: 'slipway-system',
  image: 'ghcr.io/slipway/slipway:1.2.3',
  registry: 'registry.example.com:5000/apps',
  registrySecret: 'slipway-registry',
  s3Secret: 'slipway-s3',
  builderImage: 'paketobuildpacks/builder-jammy-full:latest',
  stage: { cpu: '500m', memory: '1Gi', cpuLimit: '2', memoryLimit: '4Gi', cacheSize: '5Gi', ttlSeconds: 3600 },
  buildTimeoutMs: 900_500,
  blob: { bucket: 'sources', endpoint: 'http://minio.slipway-system:9000', region: 'us-east-1', forcePathStyle: true },
};

const params = (over: Partial<StageJobParams> = {}): StageJobParams => ({
  namespace: 'team', app: 'web', stageId: 'lz3k9f2a1b2c3d4', blobuid: BLOBUID, settings, ...over,
});

const owner = { apiVersion: 'slipway.dev/v1alpha1', kind: 'App', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true };

const containers = (job: V1Job) => {
  const spec = job.spec!.template.spec!;
  return { unpack: spec.initContainers![0]!, build: spec.containers[0]! };
};
const env = (c: V1Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const mounts = (c: V1Container) => Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));

test('the Job passes the Kubernetes schema and has no unknown fields', (t) => {
  const job = buildStageJob(params({ owner }));
  t.notThrows(() => new Job(job as never).validate());
  t.deepEqual(unknownFields(job, 'V1Job'), []);
});

test('the Job is named after app and stage, labelled, and owned by the App', (t) => {
  const job = buildStageJob(params({ owner }));
  t.is(job.metadata!.name, 'web-stage-lz3k9f2a1b2c3d4');
  t.is(job.metadata!.namespace, 'team');
  const expected = {
    'app.kubernetes.io/managed-by': 'slipway', 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/component': 'stage',
    'slipway.dev/app': 'web', 'slipway.dev/stage-id': 'lz3k9f2a1b2c3d4', 'slipway.dev/blobuid': BLOBUID,
  };
  t.deepEqual(job.metadata!.labels, expected);
  t.deepEqual(job.spec!.template.metadata!.labels, expected);
  t.deepEqual(job.metadata!.ownerReferences, [owner]);
  t.is(buildStageJob(params()).metadata!.ownerReferences, undefined);
});

test('a failed build is not retried, runs within the build timeout and is cleaned up after its TTL', (t) => {
  const spec = buildStageJob(params()).spec!;
  t.is(spec.backoffLimit, 0);
  t.is(spec.activeDeadlineSeconds, 901);
  t.is(spec.ttlSecondsAfterFinished, 3600);
  t.is(spec.template.spec!.restartPolicy, 'Never');
});

test('the pod runs as the Paketo builder user without an API token, requesting the stage requests up to the stage limits', (t) => {
  const pod = buildStageJob(params()).spec!.template.spec!;
  t.is(pod.automountServiceAccountToken, false);
  t.like(pod.securityContext, { runAsNonRoot: true, runAsUser: 1001, runAsGroup: 1000, fsGroup: 1000 });
  for (const c of [...pod.initContainers!, ...pod.containers]) {
    t.deepEqual(c.resources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } }, c.name);
    t.is(c.securityContext?.allowPrivilegeEscalation, false, c.name);
  }
});

const userCase = test.macro({
  exec(t, builder: string, entries: string[], uid: number, gid: number) {
    const job = buildStageJob(params({ builder, settings: { ...settings, builderUsers: entries } }));
    const pod = job.spec!.template.spec!;
    // The lifecycle, the unpack step that writes its workspace and the volumes' group all follow the builder.
    t.like(pod.securityContext, { runAsUser: uid, runAsGroup: gid, fsGroup: gid });
    t.true(containers(job).build.args!.includes(`-uid=${uid}`) && containers(job).build.args!.includes(`-gid=${gid}`));
  },
  title: (given, builder: string) => `builder user of ${builder}: ${given ?? ''}`,
});
test('Heroku builders run as 1000:1000', userCase, 'heroku/builder:24', [], 1000, 1000);
test('Paketo jammy builders (any registry prefix) run as 1001:1000', userCase, 'docker.io/paketobuildpacks/builder-jammy-base:latest', [], 1001, 1000);
test('Paketo noble builders run as 1001:1001', userCase, 'paketobuildpacks/ubuntu-noble-builder:latest', [], 1001, 1001);
test('an operator entry wins over the built-ins, first match first', userCase, 'heroku/builder:24', ['gcr.io/*=2000:2000', 'heroku/*=1002:1000', 'heroku/*=3:3'], 1002, 1000);
test('a wildcard in the middle of a pattern', userCase, 'registry.example.com/mirror/heroku-builder:22', ['registry.example.com/*/heroku-*=1000:1000'], 1000, 1000);
test('an unknown builder gets the default builder\'s ids', userCase, 'example.org/builder:1', [], 1001, 1000);

test('the build pod keeps ownership changes cheap and runs on the configured nodes', (t) => {
  const spec = buildStageJob(params({ settings: { ...settings, stage: { ...settings.stage, nodeSelector: { 'kubernetes.io/arch': 'amd64' } } } })).spec!.template.spec!;
  t.is(spec.securityContext!.fsGroupChangePolicy, 'OnRootMismatch');
  t.deepEqual(spec.nodeSelector, { 'kubernetes.io/arch': 'amd64' });
  t.is(buildStageJob(params()).spec!.template.spec!.nodeSelector, undefined);
  t.notThrows(() => new Job(buildStageJob(params({ settings: { ...settings, stage: { ...settings.stage, nodeSelector: { 'kubernetes.io/arch': 'amd64' } } } })) as never).validate());
});

test('the staging pod pulls with the registry Secret and the configured pull Secrets', (t) => {
  t.deepEqual(buildStageJob(params()).spec!.template.spec!.imagePullSecrets, [{ name: 'slipway-registry' }]);
  const spec = buildStageJob(params({ settings: { ...settings, imagePullSecrets: ['ghcr-pull', 'slipway-registry', 'quay-pull'] } })).spec!.template.spec!;
  t.deepEqual(spec.imagePullSecrets, [{ name: 'slipway-registry' }, { name: 'ghcr-pull' }, { name: 'quay-pull' }]);
});

test('an insecure registry: platform API 0.13 and CNB_INSECURE_REGISTRIES with the push host', (t) => {
  const { build } = containers(buildStageJob(params({ settings: { ...settings, registryInsecure: true, registryPull: '127.0.0.1:30500/apps' } })));
  t.like(env(build), { CNB_PLATFORM_API: '0.13', CNB_INSECURE_REGISTRIES: 'registry.example.com:5000' });
  // The build still pushes to the push address.
  t.is(build.args!.at(-1), 'registry.example.com:5000/apps/team/web:lz3k9f2a1b2c3d4');
});

test('the previous image is passed to the creator so launch layers are reused', (t) => {
  const previous = 'registry.example.com:5000/apps/team/web:lz3k9f2a0000000';
  const { build } = containers(buildStageJob(params({ previousImage: previous })));
  t.true(build.args!.includes(`-previous-image=${previous}`));
  t.is(build.args!.at(-1), 'registry.example.com:5000/apps/team/web:lz3k9f2a1b2c3d4');
  t.false(containers(buildStageJob(params())).build.args!.some((a) => a.startsWith('-previous-image')));
});

test('the unpack step fetches the blob from S3 into the workspace', (t) => {
  const { unpack } = containers(buildStageJob(params()));
  t.is(unpack.name, 'unpack');
  t.is(unpack.image, settings.image);
  t.deepEqual(unpack.args, ['unpack', '--blob', `sources/team/web/${BLOBUID}`, '--to', '/workspace']);
  t.deepEqual(env(unpack), {
    SLIPWAY_BLOB_STORE: 's3', SLIPWAY_S3_BUCKET: 'sources', SLIPWAY_S3_ENDPOINT: 'http://minio.slipway-system:9000',
    SLIPWAY_S3_REGION: 'us-east-1', SLIPWAY_S3_FORCE_PATH_STYLE: 'true',
  });
  t.deepEqual(unpack.envFrom, [{ secretRef: { name: 'slipway-s3' } }]);
  t.deepEqual(mounts(unpack), { '/workspace': 'workspace' });
});

test('without an S3 endpoint the unpack step uses AWS defaults', (t) => {
  const job = buildStageJob(params({ settings: { ...settings, blob: { bucket: 'b', region: 'eu-west-1', forcePathStyle: false } } }));
  const { unpack } = containers(job);
  t.false('SLIPWAY_S3_ENDPOINT' in env(unpack));
  t.is(env(unpack).SLIPWAY_S3_FORCE_PATH_STYLE, 'false');
});

test('the build step runs the lifecycle creator and pushes <registry>/<namespace>/<app>:<stageId>', (t) => {
  const { build } = containers(buildStageJob(params()));
  t.is(build.name, 'build');
  t.is(build.image, settings.builderImage);
  t.deepEqual(build.command, ['/cnb/lifecycle/creator']);
  t.deepEqual(build.args, [
    '-app=/workspace', '-cache-dir=/cache', '-layers=/layers', '-platform=/platform', '-report=/layers/report.toml', '-uid=1001', '-gid=1000',
    'registry.example.com:5000/apps/team/web:lz3k9f2a1b2c3d4',
  ]);
  t.deepEqual(env(build), { CNB_PLATFORM_API: '0.12', DOCKER_CONFIG: '/home/cnb/.docker' });
  t.deepEqual(mounts(build), {
    '/workspace': 'workspace', '/cache': 'cache', '/layers': 'layers', '/platform/env': 'platform-env', '/home/cnb/.docker': 'docker-config',
  });
});

test("the app's builder wins over the default", (t) => {
  const { build } = containers(buildStageJob(params({ builder: 'paketobuildpacks/builder-jammy-base:0.4' })));
  t.is(build.image, 'paketobuildpacks/builder-jammy-base:0.4');
});

test('volumes: workspace and layers are scratch, the cache is the app PVC, env and registry credentials come from Secrets', (t) => {
  const volumes = Object.fromEntries(buildStageJob(params()).spec!.template.spec!.volumes!.map((v) => [v.name, v]));
  t.deepEqual(volumes.workspace!.emptyDir, {});
  t.deepEqual(volumes.layers!.emptyDir, {});
  t.deepEqual(volumes.cache!.persistentVolumeClaim, { claimName: 'web-cache' });
  t.deepEqual(volumes['platform-env']!.secret, { secretName: 'web-env' });
  t.deepEqual(volumes['docker-config']!.secret, { secretName: 'slipway-registry', items: [{ key: '.dockerconfigjson', path: 'config.json' }] });
});

test('a long app name still gives a Job name its pods can carry as a label', (t) => {
  const app = `a${'b'.repeat(60)}x`;
  const job = buildStageJob(params({ app }));
  t.true(job.metadata!.name!.length <= 63);
  t.notThrows(() => new Job(job as never).validate());
});

test('the unpack step enforces the archive limits the server was configured with', (t) => {
  const { unpack } = containers(buildStageJob(params({ settings: { ...settings, limits: { unpackedBytes: 1234, archiveEntries: 56 } } })));
  t.like(env(unpack), { SLIPWAY_MAX_UNPACKED_BYTES: '1234', SLIPWAY_MAX_ARCHIVE_ENTRIES: '56' });
});
