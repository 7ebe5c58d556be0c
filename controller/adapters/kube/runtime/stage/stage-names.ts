/**
 * Names of what a stage makes. Job names end up in the `job-name` label of the Job's
 * pods, and label values are at most 63 characters, so a Job name longer than that
 * (a long app name) is shortened: the app part is cut and a hash of the full name keeps
 * it unique. Nothing looks Jobs up by name from outside: stagingLogs finds them by the
 * `slipway.dev/stage-id` label.
 */
import { createHash } from 'node:crypto';

/** Longest Job name whose pods still get a valid `job-name` label. */
const MAX_JOB_NAME = 63;

/** The Job of stage `stageId` of `app`: `<app>-stage-<stageId>`, shortened to 63 characters with a hash when longer. */
export function stageJobName(app: string, stageId: string): string {
  const full = `${app}-stage-${stageId}`;
  if (full.length <= MAX_JOB_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const suffix = `-${hash}-stage-${stageId}`;
  if (suffix.length + 1 > MAX_JOB_NAME) return `stage-${createHash('sha256').update(full).digest('hex').slice(0, 40)}`;
  const head = app.slice(0, MAX_JOB_NAME - suffix.length).replace(/-+$/, '') || 'app';
  return `${head}${suffix}`;
}

/**
 * The image a stage pushes: `<registry>/<namespace>/<app>:<stageId>`. A `/` between the
 * two (not `-`, which both may contain) keeps namespace `a-b`'s app `c` and namespace
 * `a`'s app `b-c` in different repositories.
 */
export function stageImage(registry: string, namespace: string, app: string, stageId: string): string {
  return `${registry.replace(/\/+$/, '')}/${namespace}/${app}:${stageId}`;
}

/** The app's build cache PersistentVolumeClaim. */
export function cacheClaimName(app: string): string {
  return `${app}-cache`;
}
