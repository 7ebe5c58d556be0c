import test from 'ava';
import { parseConfig } from '../../../core/config.ts';
import { isSlipwayError } from '../../../core/errors.ts';

test('no configuration at all gives the embedded defaults', (t) => {
  const config = parseConfig({});
  t.is(config.port, 8080);
  t.is(config.dataDir, './.slipway');
  t.deepEqual(config.blobStore, { kind: 'filesystem', dir: './.slipway/blobs' });
  t.is(config.runtime, 'local');
  t.is(config.git.credentialsFile, './.slipway/git-credentials');
  t.deepEqual(config.git.allowedHosts, []);
});

test('the embedded server listens on loopback unless SLIPWAY_HOST widens it; on Kubernetes on every interface', (t) => {
  t.is(parseConfig({}).host, '127.0.0.1');
  t.is(parseConfig({ SLIPWAY_RUNTIME: 'none' }).host, '127.0.0.1');
  t.is(parseConfig({ SLIPWAY_HOST: '0.0.0.0' }).host, '0.0.0.0');
  t.is(parseConfig({ SLIPWAY_RUNTIME: 'kubernetes' }).host, '0.0.0.0');
  t.is(parseConfig({ SLIPWAY_RUNTIME: 'kubernetes', SLIPWAY_HOST: '::' }).host, '::');
});

test('S3 is chosen by a bucket and configured from the environment', (t) => {
  const config = parseConfig({ SLIPWAY_S3_BUCKET: 'sources', SLIPWAY_S3_ENDPOINT: 'http://127.0.0.1:9000', SLIPWAY_GIT_ALLOWED_HOSTS: 'git.internal, 10.0.0.0/8' });
  t.like(config.blobStore, { kind: 's3', bucket: 'sources', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true });
  t.deepEqual(config.git.allowedHosts, ['git.internal', '10.0.0.0/8']);
});

test('empty variables count as unset', (t) => {
  t.is(parseConfig({ SLIPWAY_PORT: '' }).port, 8080);
});

test('every bad variable is named in one error', (t) => {
  const error = t.throws(() => parseConfig({ SLIPWAY_PORT: 'eighty', SLIPWAY_RUNTIME: 'docker', SLIPWAY_ADMIN_PASSWORD: 'short' }));
  t.true(isSlipwayError(error, 'invalid_config'));
  t.regex(error.message, /SLIPWAY_PORT/);
  t.regex(error.message, /SLIPWAY_RUNTIME/);
  t.regex(error.message, /SLIPWAY_ADMIN_PASSWORD: must be at least 8/);
});

test('s3 without a bucket is refused', (t) => {
  t.regex(t.throws(() => parseConfig({ SLIPWAY_BLOB_STORE: 's3' })).message, /SLIPWAY_S3_BUCKET/);
});
