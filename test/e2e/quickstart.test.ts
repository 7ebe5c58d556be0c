/**
 * docs/quickstart.md, run as a user would paste it (issue 13, "docs that cannot rot"):
 * a fresh folder laid out like a checkout, a fresh HOME, `npm start` in one "terminal"
 * and every other shell block of the page, in order, in another. A block must exit 0,
 * and each `# prints: TEXT` line must be matched by what the commands above it (since
 * the previous such line) printed.
 *
 * Two changes to what the page says, both kept as small as they can be:
 * - the server block's `npm ci && ` is not run: the folder links the project's own
 *   node_modules, which `npm ci` would remove and reinstall;
 * - the port: the server gets a free port (SLIPWAY_PORT) and `:8080` in the blocks
 *   becomes that port, so the test never collides with another server.
 * Blocks marked `<!-- quickstart: not run (reason) -->` are skipped; the test lists them.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { freePort } from '../../controller/adapters/local/run/free-port.ts';

interface Block {
  code: string;
  mark?: string;
}

/** The page's ```sh blocks, each with the `<!-- quickstart: … -->` comment right before it. */
function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /(?:<!-- quickstart: ([^>]*?) -->\n)?```sh\n([\s\S]*?)```/g;
  for (const match of markdown.matchAll(pattern)) blocks.push({ mark: match[1], code: match[2]! });
  return blocks;
}

const MARK = '<<<quickstart-prints>>>';

/** Runs `script` with bash -e; its exit code and output. */
function runBash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('every shell block of docs/quickstart.md runs as written against a real server', async (t) => {
  t.timeout(300_000);
  const page = await readFile(join(REPO_ROOT, 'docs/quickstart.md'), 'utf8');
  const blocks = shellBlocks(page);
  const server = blocks.find((block) => block.mark === 'server');
  t.truthy(server, 'the page marks the block that starts the server');
  t.true(server!.code.startsWith('npm ci && '), 'the server block starts with npm ci');

  const temp = await makeTempDir('slipway-quickstart-');
  t.teardown(temp.cleanup);
  const checkout = join(temp.dir, 'slipway');
  const home = join(temp.dir, 'home');
  await mkdir(checkout);
  await mkdir(home);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'cli', 'core', 'controller', 'webhooks', 'examples', 'node_modules']) {
    await symlink(join(REPO_ROOT, entry), join(checkout, entry));
  }
  const port = await freePort();
  // What a user's shell has: PATH and HOME, no SLIPWAY_* settings, no npm notices.
  const env = { PATH: process.env.PATH!, HOME: home, npm_config_update_notifier: 'false' };

  const child = spawn('bash', ['-c', server!.code.slice('npm ci && '.length)], {
    cwd: checkout, env: { ...env, SLIPWAY_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let serverOutput = '';
  child.stdout.on('data', (chunk: Buffer) => { serverOutput += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { serverOutput += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  t.teardown(async () => {
    // Ctrl-C in the server's terminal reaches its whole process group.
    try { process.kill(-child.pid!, 'SIGINT'); } catch { /* already gone */ }
    await exited;
  });
  const deadline = Date.now() + 60_000;
  while (!serverOutput.includes('listening on')) {
    if (Date.now() > deadline || child.exitCode !== null) t.fail(`the server did not start:\n${serverOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const skipped: string[] = [];
  for (const block of blocks) {
    if (block === server) continue;
    if (block.mark?.startsWith('not run')) {
      skipped.push(`${block.code.split('\n')[0]} (${block.mark})`);
      continue;
    }
    t.is(block.mark, undefined, `unknown quickstart mark "${block.mark}"`);
    const expected: string[] = [];
    const script = block.code.replaceAll(':8080', `:${port}`).replace(/^# prints: (.*)$/gm, (_line, text: string) => {
      expected.push(text);
      return `echo '${MARK}'`;
    });
    const run = await runBash(script, checkout, env);
    t.is(run.code, 0, `this block failed:\n${block.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    const parts = run.stdout.split(`${MARK}\n`);
    expected.forEach((text, i) => t.true(parts[i]!.includes(text), `"${text}" was not printed by:\n${block.code}\nit printed:\n${parts[i]}`));
  }
  t.log(`not run: ${skipped.join('; ') || 'none'}`);
  t.true(skipped.length <= 1, 'at most one block of the page is left unchecked');
});
