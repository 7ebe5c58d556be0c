/**
 * Real apps on the embedded default (not a test; issue 16's "Numbers"): public
 * repositories of the shapes users push (Express, Fastify, Next.js, Nuxt, SvelteKit,
 * Create React App, a Vite app in a monorepo folder, static sites, yarn/pnpm/npm,
 * Python and Go with Procfiles, a hard-coded port) are pushed the way a user would:
 * `slipway server` as its own process on a temp data folder, and the real CLI's
 * `slipway push --name N --git URL,REV [--subdir]` against bare copies of the
 * repositories served by a local `git http-backend`. It prints, per app, whether its
 * route answered 200 and the push-to-serving time (from starting `slipway push` until
 * the first 200), or the CLI's error in one line; then how many serve. It exits 0
 * whatever it finds (1 when repositories are missing).
 *
 *   npx node bench/real-apps.ts [--parallel 2] [--only express,nuxt] [--timeout 8m]
 *                               [--serve-s 30] [--mirror /work/.mirror] [--skip-missing] [--no-ca] [--keep]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { runCli } from '../test/helpers/run-cli.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { getApp } from '../test/helpers/app-request.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { REAL_APPS, bareCopy, locateApp, type RealApp } from './real-apps/apps.ts';

const { values: args } = parseArgs({
  options: {
    parallel: { type: 'string', default: '2' },
    only: { type: 'string' },
    timeout: { type: 'string', default: '8m' },
    'serve-s': { type: 'string', default: '30' },
    mirror: { type: 'string', default: '/work/.mirror' },
    'skip-missing': { type: 'boolean', default: false },
    'no-ca': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const PASSWORD = 'bench-admin-password';
const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
const apps = only ? REAL_APPS.filter((a) => only.includes(a.name)) : REAL_APPS;
const timeoutMs = parseDuration(args.timeout!);
const serveMs = Number(args['serve-s']) * 1000;

// 1. Every repository must be on this machine: say which `fetch` calls bring the missing ones.
const located = await Promise.all(apps.map((app) => locateApp(args.mirror!, app)));
const missing = located.filter((l) => 'missing' in l);
if (missing.length > 0) {
  console.error(`real-apps: ${missing.length} of ${apps.length} repositories are not under ${args.mirror}:`);
  for (const m of missing) console.error(`  ${m.app.repo} @ ${m.app.rev.slice(0, 12)}: ${'missing' in m ? m.missing : ''}`);
  console.error('bring each with the session\'s fetch tool (it unpacks to <mirror>/<owner>+<name>/repo):');
  for (const m of missing) console.error(`  fetch github:${m.app.repo}`);
  if (!args['skip-missing']) process.exit(1);
}
const ready = located.flatMap((l) => ('gitDir' in l ? [l] : []));

// 2. Bare copies served over smart HTTP, and a server whose address guard lets it reach 127.0.0.1.
const temp = await makeTempDir('slipway-bench-real-');
const gitRoot = join(temp.dir, 'git');
for (const l of ready) await bareCopy(l.gitDir, gitRoot, l.app.name);
const git = await startGitServer({ root: gitRoot });
const serverEnv: Record<string, string> = {
  SLIPWAY_DATA_DIR: join(temp.dir, 'data'), SLIPWAY_ADMIN_PASSWORD: PASSWORD,
  SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1', SLIPWAY_BUILD_TIMEOUT_MS: String(timeoutMs),
};
// What a user's shell on a machine behind a TLS-inspecting proxy carries (--no-ca: without the CA).
// Not npm_config_*: `npx` sets those for its child, a user starting `slipway server` has none.
for (const [key, value] of Object.entries(process.env)) {
  if (value === undefined) continue;
  if (/^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/.test(key)) serverEnv[key] = value;
}
if (args['no-ca']) delete serverEnv.NODE_EXTRA_CA_CERTS;
const server = await startServerProcess(serverEnv);
const cliEnv = { SLIPWAY_URL: server.url, SLIPWAY_USER: 'admin', SLIPWAY_PASSWORD: PASSWORD, SLIPWAY_CONFIG_DIR: join(temp.dir, 'cli') };

interface Outcome { app: RealApp; serving: boolean; seconds: number; reason: string }

/** Pushes one app and waits for its route to answer 200. */
async function pushOne(app: RealApp): Promise<Outcome> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const pushArgs = ['push', '--name', app.name, '--git', `${git.url}/${app.name}.git,${app.rev}`, '--output', 'json', '--timeout', `${Math.round(timeoutMs / 1000)}s`];
  if (app.subdir) pushArgs.push('--subdir', app.subdir);
  const pushed = await runCli(pushArgs, cliEnv);
  if (pushed.code !== 0) {
    const failed = seconds();
    const reason = cliError(pushed.stderr);
    // "its last lines are in the staging log": the line that says why is there, not in the CLI's error.
    const cause = reason.includes('staging log') ? await stagingCause(app.name) : '';
    return { app, serving: false, seconds: failed, reason: cause ? `${reason}; log: ${cause}` : reason };
  }
  const url = `${JSON.parse(pushed.stdout).urls[0]}`.replace(/\/$/, '') + (app.route ?? '/');
  const deadline = Date.now() + serveMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const answer = await getApp(url).catch((error: Error) => ({ status: 0, body: error.message }));
    if (answer.status === 200) return { app, serving: true, seconds: seconds(), reason: '' };
    last = `${answer.status || ''} ${answer.body.replace(/\s+/g, ' ').slice(0, 120)}`.trim();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { app, serving: false, seconds: seconds(), reason: `deployed, but ${url} did not answer 200 within ${serveMs / 1000} s (last: ${last})` };
}

// 3. Push them, at most --parallel at once (builds are CPU-heavy).
const outcomes: Outcome[] = [];
const began = performance.now();
try {
  console.log(`real-apps: ${ready.length} apps, ${args.parallel} at a time, push deadline ${args.timeout}, serve deadline ${args['serve-s']} s; server ${server.url}`);
  console.log(`  server env passed through: ${Object.keys(serverEnv).filter((k) => !k.startsWith('SLIPWAY_')).join(', ') || '(none)'}`);
  const queue = [...ready.map((l) => l.app)];
  const worker = async () => {
    for (let app = queue.shift(); app; app = queue.shift()) {
      const outcome = await pushOne(app);
      outcomes.push(outcome);
      console.log(`  ${outcome.serving ? 'serves' : 'FAILED'}  ${app.name} in ${outcome.seconds.toFixed(1)} s${outcome.reason ? `: ${outcome.reason}` : ''}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(args.parallel)) }, worker));
} finally {
  await server.stop();
  await git.close();
  if (args.keep) console.log(`kept ${temp.dir}`);
  else await temp.cleanup();
}

// 4. The table, in the list's order.
const ordered = ready.map((l) => outcomes.find((o) => o.app === l.app)!).filter(Boolean);
const serving = ordered.filter((o) => o.serving);
console.log('');
console.log('| app | shape | repository @ commit | result | push-to-serving | reason |');
console.log('|---|---|---|---|---|---|');
for (const o of ordered) {
  const where = `${o.app.repo}${o.app.subdir ? ` (${o.app.subdir}/)` : ''} @ ${o.app.rev.slice(0, 7)}`;
  console.log(`| ${o.app.name} | ${o.app.shape} | ${where} | ${o.serving ? 'serves' : 'fails'} | ${o.seconds.toFixed(1)} s | ${o.reason.replaceAll('|', '\\|')} |`);
}
const times = serving.map((o) => o.seconds).sort((a, b) => a - b);
const median = times.length ? times[Math.floor(times.length / 2)]!.toFixed(1) : '-';
console.log('');
console.log(`${serving.length} of ${ordered.length} serve (median push-to-serving ${median} s); whole run ${((performance.now() - began) / 1000).toFixed(0)} s`);

/** The build output's first line that names an error (`slipway app logs N --staging`), e.g. npm's `npm error code …`. */
async function stagingCause(name: string): Promise<string> {
  const logs = await runCli(['app', 'logs', name, '--staging'], cliEnv);
  const lines = logs.stdout.split('\n').map((line) => line.trim()).filter(Boolean);
  const line = lines.find((l) => /npm (error|ERR!) code|ERR_PNPM|error Error|SELF_SIGNED|UNABLE_TO_VERIFY|ENOTFOUND|ETIMEDOUT/.test(l))
    ?? lines.find((l) => /\berror\b/i.test(l));
  // Lines read `<time> <step> <stream> <text>`: keep the text.
  return (line ?? '').replace(/^\S+Z \S+ (stdout|stderr|system) /, '').replace(/\s+/g, ' ').slice(0, 200);
}

/** The CLI's error in one line: `--output json` prints `{ error: { message, code } }` on stderr. */
function cliError(stderr: string): string {
  const start = stderr.indexOf('{');
  try {
    const { error } = JSON.parse(stderr.slice(start)) as { error: { message: string; code: string } };
    // The searched PATH of "yarn is not installed" is long and the same for every app.
    return `${error.message.replace(/\s+/g, ' ').replace(/\(searched PATH: [^)]*\)/, '(searched PATH: …)')} (${error.code})`;
  } catch {
    return stderr.trim().split('\n').at(-1) ?? 'failed without a message';
  }
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`--timeout: not a duration: ${text} (e.g. 8m, 300s)`);
  return Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[(match[2] ?? 's') as 'ms' | 's' | 'm'];
}
