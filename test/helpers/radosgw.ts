/**
 * Settings of the real Ceph radosgw that `.ci/radosgw.sh start` brings up (its
 * `export` lines). CI must check real S3, so `radosgwMissing` tells a test to fail
 * there rather than skip.
 */

/** Where the gateway is and how to sign in. */
export interface RadosgwSettings {
  endpoint: string;
  bucket: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The gateway's settings from the environment, or undefined when not configured. */
export function radosgwSettings(env: NodeJS.ProcessEnv = process.env): RadosgwSettings | undefined {
  const endpoint = env.SLIPWAY_TEST_S3_ENDPOINT;
  const accessKeyId = env.SLIPWAY_TEST_S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.SLIPWAY_TEST_S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  if (!endpoint || !accessKeyId || !secretAccessKey) return undefined;
  return {
    endpoint,
    bucket: env.SLIPWAY_TEST_S3_BUCKET ?? 'slipway-test',
    region: env.SLIPWAY_TEST_S3_REGION ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  };
}

/** Why the radosgw tests cannot run, for the failure (CI) or skip (elsewhere) message. */
export const radosgwMissing =
  'radosgw is not configured: run `eval "$(.ci/radosgw.sh start)"` first (sets SLIPWAY_TEST_S3_ENDPOINT, ' +
  'SLIPWAY_TEST_S3_BUCKET, SLIPWAY_TEST_S3_ACCESS_KEY_ID, SLIPWAY_TEST_S3_SECRET_ACCESS_KEY)';

/** True in CI, where a missing radosgw is a failure. */
export const inCi = (env: NodeJS.ProcessEnv = process.env) => env.CI === 'true';
