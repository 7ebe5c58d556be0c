/**
 * The Dockerfile, built for real with buildah on a local stand-in for node:24-slim
 * (.ci/image-base.sh; no image hub is reachable here), then run: the entrypoint's
 * `--version`, `slipway server` answering /healthz, `slipway unpack` of an archive
 * stored in S3 (fauxqs on the host's loopback, which the container shares), the
 * image's user, and a push to a real registry whose manifest is read back.
 *
 * Without buildah and its companions the tests skip outside CI (saying how to install
 * them) and fail in CI, where .ci/run installs them.
 */
import test, { type ExecutionContext } from 'ava';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createS3Client } from '../../controller/adapters/blob/create-s3-client.ts';
import { createS3BlobStore } from '../../controller/adapters/blob/s3-blob-store.ts';
import { tgzOf } from '../helpers/archives.ts';
import { buildah, buildahRun, freePort, imageToolsInstall, missingImageTools, run, startRegistry } from '../helpers/buildah.ts';
import { inCi } from '../helpers/radosgw.ts';
import { startS3Emulator } from '../helpers/s3-emulator.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
// Building takes about a minute (plus about a minute for the base on a new machine) on
// a busy 2-core machine; the tests wait for it.
const BUILD_MS = 12 * 60_000;
const missing = await missingImageTools();

if (missing.length > 0) {
  const reason = `${missing.join(', ')} not installed: run \`${imageToolsInstall}\` as root (.ci/run does)`;
  if (inCi()) test('the image tools are installed in CI', (t) => t.fail(reason));
  else test.skip(`the image (${reason})`, () => {});
} else {
  const tag = `localhost/slipway-image-test:${process.pid}`;
  let container: string | undefined;

  /** Builds the base (unless cached), then the Dockerfile, then one working container. */
  async function build(): Promise<{ container: string; config: { User?: string; Entrypoint?: string[] } }> {
    let started = Date.now();
    const base = (await run(`${repoRoot}.ci/image-base.sh`, [], { cwd: repoRoot, timeoutMs: BUILD_MS })).stdout.trim();
    const baseMs = Date.now() - started;
    started = Date.now();
    await buildah(['bud', '--isolation', 'chroot', '--build-arg', `BASE_IMAGE=${base}`, '--tag', tag, '.'], { cwd: repoRoot, timeoutMs: BUILD_MS });
    // For the CI log: where the minutes go.
    console.log(`image test: base ${base} ready in ${Math.round(baseMs / 1000)} s, buildah bud took ${Math.round((Date.now() - started) / 1000)} s`);
    container = (await buildah(['from', '--quiet', tag])).stdout.trim();
    const inspected = JSON.parse((await buildah(['inspect', '--type', 'image', tag])).stdout) as { OCIv1: { config: { User?: string; Entrypoint?: string[] } } };
    return { container, config: inspected.OCIv1.config };
  }
  let building: ReturnType<typeof build> | undefined;
  const image = (t: ExecutionContext) => {
    t.timeout(BUILD_MS + 60_000);
    building ??= build();
    return building;
  };

  test.after.always(async () => {
    if (container) await buildah(['rm', container]).catch(() => {});
    await buildah(['rmi', '--force', tag]).catch(() => {});
  });

  /** The image's ENTRYPOINT followed by `args`: what `docker run IMAGE args` runs. */
  const entrypoint = (config: { Entrypoint?: string[] }, ...args: string[]) => [...(config.Entrypoint ?? []), ...args];

  test.serial('the entrypoint prints the version, as a non-root user', async (t) => {
    const { container, config } = await image(t);
    t.truthy(config.User, 'the image names a user');
    t.not(config.User!.split(':')[0], '0');
    t.not(config.User!.split(':')[0], 'root');
    const id = await buildahRun(container, ['id', '-u']);
    t.is(id.code, 0, id.stderr);
    t.not(id.stdout.trim(), '0');
    t.is(id.stdout.trim(), config.User!.split(':')[0]);
    const ran = await buildahRun(container, entrypoint(config, '--version'));
    t.is(ran.code, 0, ran.stderr);
    t.is(ran.stdout.trim(), version);
  });

  test.serial('`slipway server` answers /healthz', async (t) => {
    const { container, config } = await image(t);
    const port = await freePort();
    // The server in the background, a poll of /healthz with Node's fetch (the image has
    // no curl), then a SIGTERM: nothing outlives this one `buildah run`.
    const poll = `const deadline = Date.now() + 30000;
      for (;;) {
        try { const r = await fetch('http://127.0.0.1:${port}/healthz'); console.log('HEALTHZ', r.status, await r.text()); break; }
        catch (e) { if (Date.now() > deadline) { console.log('NO ANSWER', e.message); process.exit(1); } await new Promise((r) => setTimeout(r, 100)); }
      }`;
    const server = entrypoint(config, 'server').map((word) => `'${word}'`).join(' ');
    // Its command line once it answers: the entrypoint's node replaced itself with one that has the server's flags (same PID).
    const script = `${server} & pid=$!; node --input-type=module -e "$POLL"; status=$?; echo "CMDLINE $(tr '\\0' ' ' < /proc/$pid/cmdline)"; kill -TERM $pid; wait $pid; echo "SERVER EXIT $?"; exit $status`;
    const ran = await buildahRun(container, ['sh', '-c', script], { SLIPWAY_PORT: String(port), POLL: poll });
    t.is(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
    t.regex(ran.stdout, /HEALTHZ 200 \{"status":"ok"\}/);
    t.regex(ran.stdout, /CMDLINE \S*node --max-semi-space-size=1 --optimize-for-size \/app\/cli\/bin\.ts server/);
    // 143 = 128 + SIGTERM: after a clean shutdown the server ends by the signal it was sent (ADR 0009).
    t.regex(ran.stdout, /SERVER EXIT 143/, 'the server stops on SIGTERM and ends by it');
    t.regex(ran.stdout, /"msg":"shutting down"/);
  });

  test.serial('`slipway unpack` fetches a stored archive from S3 and unpacks it', async (t) => {
    const { container, config } = await image(t);
    const emulator = await startS3Emulator();
    t.teardown(() => emulator.close());
    const credentials = { accessKeyId: 'AKIAIMAGETESTKEY0001', secretAccessKey: 'image-test-secret-never-printed' };
    const bucket = 'slipway-image-test';
    const blobs = createS3BlobStore({
      client: createS3Client({ endpoint: emulator.endpoint, region: 'us-east-1', forcePathStyle: true, credentials }),
      bucket, partBytes: 5 * 2 ** 20,
    });
    await blobs.ensureBucket();
    const key = 'sources/default/hello/blob-1';
    const archive = await tgzOf([
      { name: 'package.json', content: '{"name":"hello"}\n' },
      { name: 'bin/start.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    ]);
    await blobs.put(key, Readable.from([archive]), { contentType: 'application/gzip' });
    const unpack = entrypoint(config, 'unpack', '--blob', key, '--to', '/tmp/workspace/src').map((word) => `'${word}'`).join(' ');
    const script = `mkdir -p /tmp/workspace && ${unpack} && cat /tmp/workspace/src/package.json && test -x /tmp/workspace/src/bin/start.sh && echo EXECUTABLE`;
    const ran = await buildahRun(container, ['sh', '-c', script], {
      SLIPWAY_S3_ENDPOINT: emulator.endpoint, SLIPWAY_S3_BUCKET: bucket,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    t.is(ran.code, 0, `${ran.stdout}\n${ran.stderr}`);
    t.is(ran.stdout, '{"name":"hello"}\nEXECUTABLE\n');
    t.false(`${ran.stdout}${ran.stderr}`.includes(credentials.secretAccessKey));
  });

  test.serial('the image pushes to a registry and its manifest reads back', async (t) => {
    await image(t);
    const registry = await startRegistry();
    t.teardown(() => registry.close());
    const reference = `${registry.address}/slipway:test`;
    await buildah(['push', '--tls-verify=false', tag, `docker://${reference}`], { timeoutMs: 5 * 60_000 });

    const response = await fetch(`http://${registry.address}/v2/slipway/manifests/test`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    });
    t.is(response.status, 200);
    const manifest = await response.json() as { config: { digest: string }; layers: unknown[] };
    t.true(manifest.layers.length > 0);
    const local = JSON.parse((await buildah(['inspect', '--type', 'image', tag])).stdout) as { FromImageID: string };
    t.is(manifest.config.digest, `sha256:${local.FromImageID}`, 'the registry holds this build');

    const inspected = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reference}`])).stdout) as {
      Digest: string; Labels: Record<string, string>; Architecture: string; Os: string;
    };
    t.is(inspected.Digest, response.headers.get('docker-content-digest') ?? 'no digest header');
    t.is(inspected.Labels['org.opencontainers.image.version'], version);
    t.is(`${inspected.Os}/${inspected.Architecture}`, 'linux/amd64');
  });
}
