/**
 * `slipway push` to a cluster where no controller holds the Lease (issue 10, item 11):
 * the API replica records the run, nobody executes it, and the CLI says so and why
 * instead of printing "pending…" until its timeout.
 */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startKubeWorld } from '../helpers/kube-server.ts';
import { runCli } from '../helpers/run-cli.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { ADMIN_PASSWORD } from '../helpers/test-server.ts';

const isLeaseWrite = (req: { method: string; path: string }) => req.method !== 'GET' && req.path.includes('/leases');

test('a push with no controller holding the Lease ends with a message naming the Lease, not an endless pending', async (t) => {
  const w = await startKubeWorld();
  t.teardown(() => w.close());
  // The replica can read but never take the Lease: it answers the API and records runs only.
  w.kube.faults.fail({ times: 1_000_000, status: 403, match: isLeaseWrite });
  const server = await w.server();
  const info = await (await server.request('GET', '/api/v1/info')).json() as any;
  t.like(info.controller, { reconciling: false });
  t.regex(info.controller.problem, /Lease slipway-controller in slipway-system does not exist/);

  const home = await makeTempDir('slipway-leaderless-');
  t.teardown(() => home.cleanup());
  const app = join(home.dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'index.js'), 'require("http").createServer((q, s) => s.end("hi")).listen(process.env.PORT);\n');
  await writeFile(join(app, 'package.json'), '{"name":"web","scripts":{"start":"node index.js"}}\n');
  const pushed = await runCli(['push', '--name', 'web', '--path', app, '--timeout', '60s'], {
    HOME: home.dir, SLIPWAY_CONFIG_DIR: join(home.dir, 'slipway'), SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: ADMIN_PASSWORD,
  });
  t.not(pushed.code, 0);
  t.regex(pushed.stderr, /no controller is reconciling: the Lease slipway-controller in slipway-system does not exist/);
  t.regex(pushed.stderr, /kubectl get pods -n slipway-system/);
  t.notRegex(pushed.stderr, /did not finish within/);
});
