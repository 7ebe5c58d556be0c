/**
 * Name rules. Namespaces and applications become Kubernetes object names and DNS
 * labels (routes are `<app>.<domain>`), so both follow RFC 1123 labels as Kubernetes
 * checks them: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
import { invalidName } from './error-cases.ts';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Longest name accepted. 63 is the DNS label limit. */
export const MAX_NAME_LENGTH = 63;

/** Why `name` is not a DNS-1123 label, or undefined when it is one. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters (DNS-1123 label)`;
  if (!LABEL.test(name)) {
    return 'must consist of lower case letters, digits and "-", and start and end with a letter or digit (DNS-1123 label, e.g. "my-app")';
  }
  return undefined;
}

/** Throws `invalid_name` naming the rule when `name` is not a DNS-1123 label. */
export function assertName(kind: 'namespace' | 'application', name: string): string {
  const problem = nameProblem(name);
  if (problem) throw invalidName(kind, name, problem);
  return name;
}
