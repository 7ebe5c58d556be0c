#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=1
/**
 * The `slipway` executable: hands argv, the environment and the process streams to
 * `main` and sets the exit code it returns. Setting `process.exitCode` rather than
 * calling `process.exit` lets stdout drain when piped and keeps `slipway server`
 * running after `main` returns.
 *
 * `--max-semi-space-size=1` (MiB) keeps V8's young generation small, and
 * `MALLOC_ARENA_MAX=1` stops glibc from giving each thread-pool thread its own malloc
 * arena (zlib and crypto work runs there): a server streaming a 200 MB upload then
 * peaks ~80 MB lower, for no measurable loss of throughput (bench/upload-rss.ts).
 * `MALLOC_MMAP_THRESHOLD_=131072` keeps glibc's threshold for giving blocks their own
 * mapping fixed at 128 KiB: by default it rises to the largest block freed, so the
 * response bodies of a start-up's list pages end up in the arena and stay resident
 * (~100 MiB with 10,000 Apps, bench/README.md "Issue 12, round 3: memory").
 * `slipway server` adds V8's `--optimize-for-size` (server-flags.ts); the other commands
 * keep V8's defaults. `npm start` sets the same.
 */
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';

// Cache compiled (and type-stripped) modules on disk: later starts skip TypeScript
// stripping and parsing, starting faster and with ~20 MB less memory.
enableCompileCache();

if (process.argv[2] === 'unpack') {
  // `slipway unpack`, the staging Job's init container step, is not a client command:
  // it bypasses the CLI program and loads its controller code only when run.
  const { runUnpack } = await import('../controller/unpack-main.ts');
  process.exitCode = await runUnpack(process.argv.slice(3), process.env, { stderr: process.stderr });
} else {
  const { main } = await import('./main.ts');
  process.exitCode = await main(process.argv, process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    homedir: homedir(),
  });
}
