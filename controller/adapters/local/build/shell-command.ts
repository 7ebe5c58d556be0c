/**
 * The argv that runs a user's start command (a `scripts.start` or a Procfile line)
 * through `/bin/sh -c`, as npm and Heroku do. Debian's sh (dash) does not replace
 * itself with the last command, so `sh -c "node server.js"` would leave sh as the
 * instance's process: a SIGTERM sent to it kills sh and orphans node before the app
 * can shut down gracefully. A simple command — plain words, no shell syntax — is
 * therefore prefixed with `exec`, so the app itself is the process that gets signals.
 * Anything else (`&&`, pipes, quotes, variables) runs as written.
 */

// Words made only of characters that mean nothing to sh; the first word must not be
// an assignment (`exec FOO=1 node` would try to run a program called "FOO=1").
const SIMPLE = /^[A-Za-z0-9_./@%+,:-]+(?:[ \t]+[A-Za-z0-9_./@%+,:=-]+)*$/;

/** `['/bin/sh', '-c', script]`, with `exec ` in front of a simple command. */
export function shellCommand(script: string): string[] {
  const trimmed = script.trim();
  return ['/bin/sh', '-c', SIMPLE.test(trimmed) ? `exec ${trimmed}` : script];
}
