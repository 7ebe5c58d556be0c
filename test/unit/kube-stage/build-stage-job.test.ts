import test from 'ava';
import { Job } from 'kubernetes-models/batch/v1';
import type { V1Container, V1Job } from '@kubernetes/client-node';
import { CNB_GROUP_ID, CNB_USER_ID, buildStageJob, type StageJobParams } from '../../../controller/adapters/kube/runtime/stage/build-stage-job.ts';
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
  stage: { cpu: '2', memory: '4Gi', cacheSize: '5Gi', ttlSeconds: 3600 },
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

test('the pod runs as the cnb user without an API token and within the stage resources', (t) => {
  const pod = buildStageJob(params()).spec!.template.spec!;
  t.is(pod.automountServiceAccountToken, false);
  t.like(pod.securityContext, { runAsNonRoot: true, runAsUser: CNB_USER_ID, runAsGroup: CNB_GROUP_ID, fsGroup: CNB_GROUP_ID });
  t.is(CNB_USER_ID, 1001);
  t.is(CNB_GROUP_ID, 1000);
  for (const c of [...pod.initContainers!, ...pod.containers]) {
    t.deepEqual(c.resources, { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } }, c.name);
    t.is(c.securityContext?.allowPrivilegeEscalation, false, c.name);
  }
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

test('the build step runs the lifecycle creator and pushes <registry>/<namespace>-<app>:<stageId>', (t) => {
  const { build } = containers(buildStageJob(params()));
  t.is(build.name, 'build');
  t.is(build.image, settings.builderImage);
  t.deepEqual(build.command, ['/cnb/lifecycle/creator']);
  t.deepEqual(build.args, [
    '-app=/workspace', '-cache-dir=/cache', '-layers=/layers', '-platform=/platform', '-report=/layers/report.toml',
    'registry.example.com:5000/apps/team-web:lz3k9f2a1b2c3d4',
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
