import test from 'ava';
import { isSlipwayError } from '../../../core/errors.ts';
import type { LogLine } from '../../../core/ports/runtime.ts';
import { freePort } from '../../../controller/adapters/local/run/free-port.ts';
import { startInstance, type Instance } from '../../../controller/adapters/local/run/start-instance.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { eventually, writeTestApp } from './test-apps.ts';

let dir: string;
let cleanup: () => Promise<void>;
let command: string[];
const started: Instance[] = [];

test.before(async () => {
  ({ dir, cleanup } = await makeTempDir());
  command = await writeTestApp(dir);
});
test.after.always(async () => {
  await Promise.all(started.map((instance) => instance.stop({ graceMs: 100 })));
  await cleanup();
});

async function start(env: Record<string, string>, maxLogBytesPerSecond?: number) {
  const lines: Omit<LogLine, 'time'>[] = [];
  const port = await freePort();
  const instance = startInstance({ id: 'web-1', command, cwd: dir, env, port, log: (line) => lines.push(line), maxLogBytesPerSecond });
  started.push(instance);
  return { instance, lines, port };
}

test('a good app answers on its PORT with its environment, and its output becomes log lines', async (t) => {
  const { instance, lines, port } = await start({ APP_ID: 'a', GREETING: 'hello' });
  await instance.waitUntilReady({ timeoutMs: 10_000 });
  const response = await fetch(`http://127.0.0.1:${port}/`);
  t.is(await response.text(), 'a hello');
  t.true(lines.some((line) => line.stream === 'stdout' && line.source === 'web-1' && line.text === `a listening on ${port}`));
});

test('an app that exits at once fails readiness with its exit code and last lines', async (t) => {
  const { instance, port } = await start({ MODE: 'exit' });
  const error = await t.throwsAsync(instance.waitUntilReady({ timeoutMs: 10_000 }));
  t.true(isSlipwayError(error, 'deploy_failed'));
  t.is((error as { status?: number }).status, 422);
  t.is(error!.message, `exited with code 1 before it answered on port ${port}\nlast lines:\n  boom: missing DATABASE_URL`);
  t.deepEqual((error as unknown as { data: { log: string[] } }).data.log, ['boom: missing DATABASE_URL']);
  t.deepEqual(await instance.exited, { code: 1, signal: null });
});

test('a Node app that throws at start: the error quotes the exception line, labelled, above the stack tail', async (t) => {
  const { instance, port } = await start({ MODE: 'throw' });
  const error = await t.throwsAsync(instance.waitUntilReady({ timeoutMs: 10_000 }));
  t.true(isSlipwayError(error, 'deploy_failed'));
  const [head, label, ...rest] = error!.message.split('\n');
  t.is(head, `exited with code 1 before it answered on port ${port}`);
  t.is(label, 'first error: Error: boom: DATABASE_URL is not set');
  t.is(rest[0], 'last lines:');
  t.regex(rest.at(-1)!, /^ {2}Node\.js v\d+/, 'the tail is the end of the output');
  t.is((error as unknown as { data: { firstError: string } }).data.firstError, 'Error: boom: DATABASE_URL is not set');
});

for (const [title, wrap] of [
  ['itself', (command: string[]) => command],
  // `npm start` or `sh -c`: the server is a child of the process Slipway started.
  ['in a child of a shell', (command: string[]) => ['/bin/sh', '-c', `"${command[0]}" "${command[1]}"; echo exited`]],
] as const) {
  test(`an app listening on a hard-coded port ${title} is told to use $PORT within seconds, not at the deadline`, async (t) => {
    const fixed = await freePort();
    const port = await freePort();
    const instance = startInstance({ id: 'web-1', command: wrap(command), cwd: dir, env: { MODE: 'fixedport', FIXED_PORT: String(fixed) }, port, log: () => {} });
    started.push(instance);
    // The deadline is far beyond ava's own timeout: only the port check can end this wait in time.
    const error = await t.throwsAsync(instance.waitUntilReady({ timeoutMs: 120_000 }));
    t.true(isSlipwayError(error, 'deploy_failed'));
    t.is(error!.message.split('\n')[0], `listens on port ${fixed}, but must listen on $PORT (${port}): read the port from the PORT environment variable, e.g. \`app.listen(process.env.PORT)\``);
    t.regex(error!.message, new RegExp(`last lines:\n  app listening on ${fixed}`));
    await instance.stop({ graceMs: 1000 });
  });
}

test('an app that never opens its port fails readiness at the deadline', async (t) => {
  const { instance, lines, port } = await start({ MODE: 'noport' });
  // The deadline counts from waitUntilReady; wait for the app's line first, as a loaded machine may take longer than 300 ms to start node.
  await eventually(() => lines.some((line) => line.text === 'thinking forever'), 'the app to print its line');
  const error = await t.throwsAsync(instance.waitUntilReady({ timeoutMs: 300 }));
  t.true(isSlipwayError(error, 'deploy_failed'));
  t.is(error!.message, `did not answer on port ${port} within 300 ms\nlast lines:\n  thinking forever`);
  await instance.stop({ graceMs: 1000 });
});

test('a program that does not exist fails readiness with the spawn error', async (t) => {
  const instance = startInstance({ id: 'x', command: ['/nonexistent/program'], cwd: dir, env: {}, port: await freePort(), log: () => {} });
  const error = await t.throwsAsync(instance.waitUntilReady({ timeoutMs: 5000 }));
  t.regex(error!.message, /could not start: .*ENOENT/);
});

test('an app printing 16 MiB is capped: the log gets the allowance and drop notes, the app still starts', async (t) => {
  const { instance, lines } = await start({ MODE: 'flood', APP_ID: 'f' }, 64 * 1024);
  await instance.waitUntilReady({ timeoutMs: 20_000 });
  await eventually(() => lines.some((line) => line.stream === 'system' && /dropping lines/.test(line.text)), 'the drop note', 10_000);
  await instance.stop({ graceMs: 2000 });
  const bytes = lines.filter((line) => line.stream === 'stdout').reduce((sum, line) => sum + line.text.length + 1, 0);
  t.true(bytes < 1024 * 1024, `passed ${bytes} of 16 MiB`);
  t.true(lines.some((line) => line.stream === 'system' && /bytes dropped/.test(line.text)));
});

test('stop sends SIGTERM and waits for a graceful exit', async (t) => {
  const { instance, lines } = await start({ APP_ID: 'g' });
  await instance.waitUntilReady({ timeoutMs: 10_000 });
  await instance.stop({ graceMs: 5000 });
  t.deepEqual(await instance.exited, { code: 0, signal: null });
  t.true(lines.some((line) => line.text === 'bye from g'));
  await instance.stop({ graceMs: 5000 });
});

test('stop kills an app that ignores SIGTERM after the grace period', async (t) => {
  const { instance } = await start({ MODE: 'stubborn' });
  await instance.waitUntilReady({ timeoutMs: 10_000 });
  const before = Date.now();
  await instance.stop({ graceMs: 300 });
  t.true(Date.now() - before >= 250);
  t.is((await instance.exited).signal, 'SIGKILL');
});
