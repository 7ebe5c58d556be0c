/**
 * A CPU profile of this process (the fake API, the S3 emulator and the bench) over one
 * section only, e.g. the 50-push burst: `--cpu-prof` would mix in module loading and
 * seeding. Written as a `.cpuprofile` (Chrome DevTools, speedscope).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** Runs `section`; with a `file`, under the V8 profiler, writing the profile there. */
export async function profiled<T>(file: string | undefined, section: () => Promise<T>): Promise<T> {
  if (!file) return section();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await section();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  }
}
