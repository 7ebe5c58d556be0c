/**
 * Name checks for the CLI: core's DNS-1123 rule, reported as a usage error (exit 2)
 * because it is caught before any request.
 */
import { assertName } from '../core/names.ts';
import { toCliError, usageError } from './cli-error.ts';

/** Returns `name` when it is a valid name of that kind; throws an exit-2 error naming the rule. */
export function checkedName(kind: 'namespace' | 'application', name: string): string {
  try {
    return assertName(kind, name);
  } catch (error) {
    const cli = toCliError(error);
    const hint = kind === 'application' ? 'use lower case letters, digits and "-", e.g. my-app' : 'use lower case letters, digits and "-", e.g. team-a';
    throw usageError(cli.message, hint, cli.code);
  }
}
