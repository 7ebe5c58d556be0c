import { randomBytes } from 'node:crypto';

/**
 * A new stage id: lower-case letters and digits, sortable by time, short enough for
 * image tags and Kubernetes object names (`<app>-<stageid>`).
 */
export function newStageId(now: Date): string {
  return `${now.getTime().toString(36)}${randomBytes(4).toString('hex')}`;
}
