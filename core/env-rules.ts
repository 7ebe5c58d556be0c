/**
 * Limits on an app's environment, checked when it is set so that a bad value is refused
 * with 400 instead of breaking every later deploy. The operating system refuses to
 * start a process whose single `NAME=value` string exceeds 128 KiB (Linux
 * MAX_ARG_STRLEN) or whose whole environment and arguments exceed ARG_MAX (`E2BIG`),
 * and a NUL byte cannot be passed at all (it ends the C string). The Kubernetes
 * runtime keeps the environment in one Secret (1 MiB). Documented in docs/api.md.
 */

/** Most variables an app may have. */
export const MAX_ENV_VARS = 1000;
/** Longest variable name, in characters. */
export const MAX_ENV_NAME = 256;
/** Largest value, in UTF-8 bytes (half of Linux's 128 KiB per `NAME=value`). */
export const MAX_ENV_VALUE_BYTES = 64 * 1024;
/** Largest environment, all `NAME=value` strings together, in UTF-8 bytes (a quarter of Linux's usual 2 MiB ARG_MAX). */
export const MAX_ENV_TOTAL_BYTES = 512 * 1024;

/** Why `env` cannot be an app's environment, or undefined when it can. */
export function environmentProblem(env: Record<string, string>): string | undefined {
  const entries = Object.entries(env);
  if (entries.length > MAX_ENV_VARS) return `at most ${MAX_ENV_VARS} variables are allowed (got ${entries.length})`;
  let total = 0;
  for (const [name, value] of entries) {
    if (name.length > MAX_ENV_NAME) return `variable names are at most ${MAX_ENV_NAME} characters`;
    if (value.includes('\0')) return `${name}: a value cannot contain a NUL byte (the operating system cannot pass it to a process)`;
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_ENV_VALUE_BYTES) return `${name}: a value is at most ${MAX_ENV_VALUE_BYTES} bytes (got ${bytes}); keep large data in a file or a service instead`;
    total += Buffer.byteLength(name, 'utf8') + 1 + bytes + 1;
  }
  if (total > MAX_ENV_TOTAL_BYTES) return `the environment is at most ${MAX_ENV_TOTAL_BYTES} bytes in all (got ${total})`;
  return undefined;
}
