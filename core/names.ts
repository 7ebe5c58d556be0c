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

/**
 * Why `name` cannot be the name of a new application, or undefined. Stricter than
 * {@link nameProblem}: a DNS-1035 label, starting with a letter, because the
 * Kubernetes runtime names the app's Service after it and Service names may not start
 * with a digit. The same rule holds on every runtime, so an app can move between them.
 * Existing apps are still found by the DNS-1123 rule.
 */
export function newAppNameProblem(name: string): string | undefined {
  return nameProblem(name) ?? (/^[a-z]/.test(name)
    ? undefined
    : 'must start with a letter (a DNS-1035 label: on Kubernetes the app\'s Service is named after it, and Service names cannot start with a digit), e.g. "web-1"');
}

/** Throws `invalid_name` unless `name` may name a new application. */
export function assertNewAppName(name: string): string {
  const problem = newAppNameProblem(name);
  if (problem) throw invalidName('application', name, problem);
  return name;
}
