/**
 * The dashboard end to end in real Chromium: `slipway server` as a process (local
 * runtime), a git repository served over smart HTTP, and a user who signs in, creates
 * an app from git, watches it build and deploy, opens it, deploys a new commit, rolls
 * back, changes an environment variable and signs out; and a user without rights to a
 * namespace who can neither see nor change it. Screenshots (1280×800) land in
 * test-results/ui/, and axe-core checks each page.
 */
import test from 'ava';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServerProcess, REPO_ROOT, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { eventually, getApp } from '../helpers/app-request.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { createBareRepo, createWorkRepo } from '../helpers/git-repo.ts';
import { hashPassword } from '../../controller/auth/password-hash.ts';
import { CHROMIUM_MISSING, hasChromium, launchChromium, seriousA11yViolations } from '../helpers/browser.ts';

/** The page's document as functions evaluated in the browser see it (this project's tsc has no DOM types). */
declare const document: {
  querySelector(selector: string): { textContent: string | null; content: string } | null;
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
};

const ADMIN = 'ui-admin-password';
const ALICE = 'alice-password';
const SHOTS = join(REPO_ROOT, 'test-results/ui');
const run = hasChromium ? test.serial : test.serial.skip;
if (!hasChromium) console.warn(`ui-browser: skipped, ${CHROMIUM_MISSING}`);

let server: ServerProcess;
let git: GitServer;
let browser: Browser;
let work: Awaited<ReturnType<typeof createWorkRepo>>;
const cleanups: (() => Promise<unknown>)[] = [];

/** Writes node-hello into the work repository with `version` as its built-in version, and commits. */
async function commitVersion(version: string): Promise<void> {
  await cp(join(REPO_ROOT, 'examples/node-hello'), work.dir, { recursive: true });
  const file = join(work.dir, 'server.js');
  await writeFile(file, (await readFile(file, 'utf8')).replace("process.env.APP_VERSION || '1.0.0'", `process.env.APP_VERSION || '${version}'`));
  await work.commit(`version ${version}`);
  await work.push(`${git.url}/hello.git`);
}

test.before(async () => {
  if (!hasChromium) return;
  const temp = await makeTempDir('slipway-ui-');
  cleanups.push(temp.cleanup);
  const dataDir = join(temp.dir, 'data');
  await mkdir(dataDir);
  // alice may use `team-a` only; the server adds `admin` (every namespace) itself.
  await writeFile(join(dataDir, 'users.json'), JSON.stringify({ users: [{ username: 'alice', passwordHash: await hashPassword(ALICE), namespaces: ['team-a'] }] }));
  server = await startServerProcess({
    SLIPWAY_DATA_DIR: dataDir, SLIPWAY_ADMIN_PASSWORD: ADMIN, SLIPWAY_GIT_ALLOWED_HOSTS: '127.0.0.1',
    SLIPWAY_READY_TIMEOUT_MS: '8000', SLIPWAY_STOP_GRACE_MS: '1000',
  });
  cleanups.push(() => server.stop());
  const created = await fetch(`${server.url}/api/v1/namespaces`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'team-a' }),
  });
  if (created.status !== 201) throw new Error(`creating team-a: ${created.status} ${await created.text()}`);
  await mkdir(join(temp.dir, 'repos'));
  await createBareRepo(join(temp.dir, 'repos'), 'hello');
  git = await startGitServer({ root: join(temp.dir, 'repos') });
  cleanups.push(() => git.close());
  work = await createWorkRepo();
  cleanups.push(() => work.cleanup());
  await commitVersion('1.0.0');
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
  cleanups.push(() => browser.close());
});
test.after.always(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** Script errors of every page, asserted empty at the end of each test. */
const scriptErrors: string[] = [];

async function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  await page.goto(`${server.url}/`);
  await page.waitForURL(/\/ui\/login/);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/ui\/(\?|$)/);
  return page;
}

/** Text of the first run row's cell `n` (1-based). */
const firstRunCell = (page: Page, n: number) => page.locator(`#runs tr:first-child td:nth-child(${n})`).textContent();

/** Waits until the newest run of the page's app succeeded (failing fast with its error when it failed). */
async function runSucceeded(page: Page, kind: string): Promise<void> {
  await page.waitForFunction((k) => {
    const cells = document.querySelectorAll('#runs tr:first-child td');
    return cells[1]?.textContent === k && ['succeeded', 'failed'].includes(cells[2]?.textContent ?? '');
  }, kind, { timeout: 40_000 });
  const phase = await firstRunCell(page, 3);
  if (phase !== 'succeeded') throw new Error(`the ${kind} run failed: ${await firstRunCell(page, 8)}`);
}

async function assertAccessible(t: import('ava').ExecutionContext, page: Page, what: string): Promise<void> {
  const violations = await seriousA11yViolations(page);
  t.deepEqual(violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `serious or critical accessibility problems on ${what}`);
}

run('a user signs in, creates an app from git, deploys, rolls back, changes its environment and signs out', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await signIn(context, 'admin', ADMIN);
  await assertAccessible(t, page, 'the app list');
  await page.click('text=New app from git');
  await page.waitForURL(/\/ui\/new/);
  await assertAccessible(t, page, 'the new-app form');
  await page.fill('#new-name', 'hello');
  await page.fill('#new-url', `${git.url}/hello.git`);
  await page.fill('#new-revision', 'main');
  await page.click('text=Create and deploy');
  await page.waitForURL(/\/ui\/namespaces\/workspace\/applications\/hello$/);
  await runSucceeded(page, 'deploy');
  t.not((await page.locator('#build-log').textContent())?.trim(), '', 'the build log is visible');
  const url = await page.locator('#overview a').first().getAttribute('href');
  t.truthy(url);

  // The app's own log streams; Pause holds lines back.
  await page.waitForFunction(() => /listening on port/.test(document.querySelector('#app-log')?.textContent ?? ''), undefined, { timeout: 20_000 });
  await page.click('#logs-toggle');
  t.regex(await page.locator('#logs-state').textContent() ?? '', /Paused/);
  await page.click('#logs-toggle');

  // Its URL, opened in the browser.
  const site = await context.newPage();
  await site.goto(url!);
  t.regex(await site.locator('body').textContent() ?? '', /version 1\.0\.0/);
  await site.close();

  // A new commit, deployed from the page, then rolled back to release 1.
  await commitVersion('2.0.0');
  await page.click('#deploy-now');
  await page.waitForFunction(() => document.querySelector('#runs tr:first-child td:nth-child(5)')?.textContent === '#2', undefined, { timeout: 40_000 });
  await runSucceeded(page, 'deploy');
  await eventually(async () => /version 2\.0\.0/.test((await getApp(url!)).body), 'release 2 to serve');
  await page.screenshot({ path: join(SHOTS, 'app-page.png') });
  await assertAccessible(t, page, 'the app page');
  await page.click('button[data-release="1"]');
  await page.waitForFunction(() => document.querySelector('#runs tr:first-child td:nth-child(2)')?.textContent === 'rollback', undefined, { timeout: 20_000 });
  await runSucceeded(page, 'rollback');
  await eventually(async () => /version 1\.0\.0/.test((await getApp(url!)).body), 'release 1 to serve again');

  // An environment variable: hidden until revealed, and the app redeploys with it.
  await page.fill('#env-key', 'APP_VERSION');
  await page.fill('#env-value', 'first-value');
  await page.click('#env-add button');
  const value = page.locator('code[data-env="APP_VERSION"]');
  await value.waitFor();
  t.is(await value.textContent(), '••••••••', 'values are hidden');
  await page.click('button[aria-label="Reveal APP_VERSION"]');
  t.is(await value.textContent(), 'first-value');
  await page.click('button[aria-label="Change APP_VERSION"]');
  await page.fill('input[data-env-input="APP_VERSION"]', 'from-the-dashboard');
  await page.click('#env tr:has(input[data-env-input="APP_VERSION"]) >> text=Save');
  await page.locator('code[data-env="APP_VERSION"]').waitFor();
  await eventually(async () => /version from-the-dashboard/.test((await getApp(url!)).body), 'the redeploy with the new variable', 30_000);

  // Watching, and the webhook set-up with its secret hidden until revealed.
  await page.check('#watch-on');
  await page.fill('#watch-interval', '5m');
  await page.click('text=Save watching');
  await page.waitForFunction(() => /Watching main/.test(document.querySelector('#watch-state')?.textContent ?? ''), undefined, { timeout: 10_000 });
  await page.click('#webhook-show');
  const secret = page.locator('#webhook-secret');
  await secret.waitFor();
  t.is(await secret.textContent(), '••••••••');
  await page.click('text=Reveal secret');
  t.regex(await secret.textContent() ?? '', /^[^•]{16,}$/);
  t.is(await page.locator('#webhook button', { hasText: /^Copy (GitHub|GitLab|Gitea \/ Forgejo) URL$/ }).count(), 3);

  // The list, live: the app with its phase, release, URL and watching.
  await page.click('nav >> text=Apps');
  await page.waitForSelector('#apps-body tr[data-app="hello"] a[href^="http"]');
  const row = await page.locator('#apps-body tr[data-app="hello"]').textContent();
  t.regex(row ?? '', /hello.*running.*#1.*main.*yes \(5m\)/s);
  // Its last deploy, from the list's summary (no runs in a list item, ADR 0007): the end of
  // the newest successful run, as the app's own runs say (polled: the list redraws every 2 s).
  const lastDeploy = async () => {
    const whole = await page.evaluate(async () => (await fetch('/api/v1/namespaces/workspace/applications/hello', { headers: { accept: 'application/json' } })).json()) as { status: { runs: { phase: string; finishedAt?: string }[] } };
    const shown = await page.locator('#apps-body tr[data-app="hello"] td:last-child time').getAttribute('datetime');
    return { shown, runs: whole.status.runs.find((r) => r.phase === 'succeeded')?.finishedAt };
  };
  await eventually(async () => { const { shown, runs } = await lastDeploy(); return shown !== null && shown === runs; }, 'the list to show the last deploy', 10_000)
    .catch(async (error: Error) => { t.log(JSON.stringify(await lastDeploy())); throw error; });
  await page.screenshot({ path: join(SHOTS, 'app-list.png') });

  // Delete, once the name is typed.
  await page.click('#apps-body a[href*="/applications/hello"]');
  await page.fill('#delete-confirm', 'hell');
  t.true(await page.locator('#delete-button').isDisabled());
  await page.fill('#delete-confirm', 'hello');
  await page.click('#delete-button');
  await page.waitForURL(/\/ui\/\?ns=workspace$/);
  await page.waitForSelector('text=No apps yet');

  // Signing out ends the session: the old cookie no longer opens the API.
  const [cookie] = await context.cookies();
  t.like(cookie, { name: 'slipway_session', httpOnly: true, sameSite: 'Strict' });
  await page.click('text=Sign out');
  await page.waitForURL(/\/ui\/login/);
  const after = await fetch(`${server.url}/api/v1/namespaces`, { headers: { cookie: `${cookie!.name}=${cookie!.value}` } });
  t.is(after.status, 401);
  await page.goto(`${server.url}/ui/`);
  t.regex(page.url(), /\/ui\/login/);
  await context.close();
  t.deepEqual(scriptErrors, []);
});

run('a user without rights to a namespace can neither see nor change it, and the API refuses requests without the CSRF token', async (t) => {
  const created = await fetch(`${server.url}/api/v1/namespaces/workspace/applications`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'guarded' }),
  });
  t.is(created.status, 201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const login = await context.newPage();
  await login.goto(`${server.url}/ui/login`);
  await assertAccessible(t, login, 'the sign-in form');
  await login.close();
  const page = await signIn(context, 'alice', ALICE);
  t.deepEqual(await page.locator('#ns-select option').allTextContents(), ['team-a']);
  await assertAccessible(t, page, 'an empty app list');
  const listPage = await page.goto(`${server.url}/ui/?ns=workspace`);
  t.is(listPage?.status(), 403);
  t.regex(await page.locator('main').textContent() ?? '', /forbidden/);
  const appPage = await page.goto(`${server.url}/ui/namespaces/workspace/applications/guarded`);
  t.is(appPage?.status(), 403);

  // Crafted requests from the signed-in page, with and without the CSRF token.
  await page.goto(`${server.url}/ui/?ns=team-a`);
  const answers = await page.evaluate(async () => {
    const csrf = document.querySelector('meta[name="csrf-token"]')!.content;
    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const response = await fetch(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
      return `${response.status} ${((await response.json()) as { code?: string }).code}`;
    };
    return {
      readOther: await call('GET', '/api/v1/namespaces/workspace/applications', {}),
      deleteOther: await call('DELETE', '/api/v1/namespaces/workspace/applications/guarded', { 'x-csrf-token': csrf }),
      noToken: await call('POST', '/api/v1/namespaces/team-a/applications', {}, { name: 'sneaky' }),
      wrongToken: await call('POST', '/api/v1/namespaces/team-a/applications', { 'x-csrf-token': 'forged' }, { name: 'sneaky' }),
      withToken: await call('POST', '/api/v1/namespaces/team-a/applications', { 'x-csrf-token': csrf }, { name: 'allowed' }),
    };
  });
  t.deepEqual(answers, {
    readOther: '403 forbidden', deleteOther: '403 forbidden', noToken: '403 csrf_refused', wrongToken: '403 csrf_refused', withToken: '201 undefined',
  });
  const other = await fetch(`${server.url}/api/v1/namespaces/workspace/applications/guarded`, { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` } });
  t.is(other.status, 200, 'the other namespace\'s app is still there');
  await context.close();
});
