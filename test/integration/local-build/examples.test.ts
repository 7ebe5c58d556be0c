import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRelease, type ReleasePlan } from '../../../controller/adapters/local/build/build-release.ts';
import { eventually } from './process-group.ts';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
const nodeBinDir = dirname(process.execPath);
const releases: string[] = [];

test.after.always(() => Promise.all(releases.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A copy of the example, as the runtime would unpack it into a release folder. */
async function release(example: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `slipway-${example}-`));
  releases.push(dir);
  await cp(join(examples, example), dir, { recursive: true });
  return dir;
}

const stage = (dir: string, env: Record<string, string> = {}) =>
  buildRelease({ dir, env, log: () => {}, nodeBinDir, timeoutMs: 10_000 });

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Starts the plan as the run half would and waits for an answer; `stop` sends SIGTERM and returns the exit code. */
async function runPlan(t: ExecutionContext, dir: string, plan: ReleasePlan, env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(plan.command![0]!, plan.command!.slice(1), {
    cwd: dir, env: { ...env, ...plan.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => void child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  const exited = once(child, 'exit');
  let body = '';
  const answered = await eventually(async () => {
    try {
      body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      return true;
    } catch {
      return false; // not listening yet
    }
  }, 5000);
  const stop = async () => {
    child.kill('SIGTERM');
    return (await exited)[0] as number | null;
  };
  return { answered, body, output: () => output, stop };
}

test('node-hello stages in milliseconds, runs nothing, answers with its version and stops on SIGTERM', async (t) => {
  const dir = await release('node-hello');
  const times: number[] = [];
  let plan: ReleasePlan | undefined;
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    plan = await stage(dir);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  t.log(`staging examples/node-hello, 20 runs: min ${times[0]!.toFixed(2)} ms, median ${times[10]!.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms (the first run loads the modules)`);
  t.true(times[10]! < 50, `median ${times[10]} ms`);
  t.deepEqual(plan!.command, ['/bin/sh', '-c', 'exec node server.js']);
  t.is(plan!.description, 'Node.js app (no dependencies), starts with: node server.js');

  const app = await runPlan(t, dir, plan!, { APP_VERSION: 'test-42' });
  t.true(app.answered);
  t.regex(app.body, /version test-42/);
  // exec: the instance's process is node itself, so SIGTERM reaches the app's handler.
  t.is(await app.stop(), 0);
  t.regex(app.output(), /SIGTERM received/);
});

test('procfile-app runs its web: line and answers', async (t) => {
  const dir = await release('procfile-app');
  const plan = await stage(dir);
  t.like(plan, { kind: 'procfile', command: ['/bin/sh', '-c', 'exec node app.js'] });
  const app = await runPlan(t, dir, plan, {});
  t.true(app.answered);
  t.is(app.body, 'Hello from procfile-app\n');
  t.is(await app.stop(), 0);
});

test('static-site is served from its folder', async (t) => {
  const plan = await stage(await release('static-site'));
  t.deepEqual(plan, { kind: 'static', staticRoot: '.', env: {}, description: 'Static site, served by Slipway from the app folder' });
});
