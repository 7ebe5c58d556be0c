/**
 * Issue 9.1: a user limited to one namespace must not take the API's own host (and with
 * it the admin's credentials) or another namespace's route, by any spelling of it.
 */
import test from 'ava';
import { hostname } from 'node:os';
import { startRig, DEV, headerEcho, staticSite, type Rig } from '../helpers/security-rig.ts';

let rig: Rig;
test.before(async () => {
  rig = await startRig({ SLIPWAY_PUBLIC_URL: 'http://slipway.example.test:8443', SLIPWAY_API_HOSTS: 'deploy.example.test' });
  const web = await rig.deploy('workspace', 'web', staticSite('the real web'));
  if (web.phase !== 'succeeded') throw new Error(`web did not deploy: ${JSON.stringify(web)}`);
});
test.after.always(() => rig?.close());

const teamA = '/api/v1/namespaces/team-a/applications';
const port = () => new URL(rig.server.url).port;

const refusedRoute = test.macro({
  async exec(t, route: string, status: number, code: string) {
    const answer = await rig.request('POST', teamA, { name: 'thief', configuration: { routes: [route] } }, { auth: DEV });
    const body = await answer.json() as { code: string; detail: string };
    t.is(answer.status, status, JSON.stringify(body));
    t.is(body.code, code);
    t.regex(body.detail, /route/);
    t.is((await rig.request('GET', `${teamA}/thief`, undefined, { auth: DEV })).status, 404, 'nothing was created');
  },
  title: (_, route) => `a namespace user cannot claim the route ${JSON.stringify(route)}`,
});
test.serial(refusedRoute, '127.0.0.1', 400, 'invalid_request');
test.serial(refusedRoute, 'localhost', 400, 'invalid_request');
test.serial(refusedRoute, '[::1]', 400, 'invalid_request');
test.serial(refusedRoute, '2130706433', 400, 'invalid_request');
test.serial(refusedRoute, 'slipway.example.test', 409, 'route_reserved');
test.serial(refusedRoute, 'SLIPWAY.example.test/api', 409, 'route_reserved');
test.serial(refusedRoute, 'deploy.example.test', 409, 'route_reserved');
test.serial(refusedRoute, hostname().toLowerCase().replace(/[^a-z0-9.-]/g, '') || 'unnamed-host', 409, 'route_reserved');
test.serial(refusedRoute, 'web.localhost', 409, 'route_conflict');
test.serial(refusedRoute, 'web.localhost:1', 400, 'invalid_request');
test.serial(refusedRoute, 'web.localhost/', 409, 'route_conflict');
test.serial(refusedRoute, 'WEB.localhost.', 409, 'route_conflict');
test.serial(refusedRoute, 'web.localhost/admin', 409, 'route_conflict');
test.serial(refusedRoute, 'x.com:99999', 400, 'invalid_request');
test.serial(refusedRoute, 'x.com//admin', 400, 'invalid_request');
test.serial(refusedRoute, 'x.com/./admin', 400, 'invalid_request');
test.serial(refusedRoute, 'a..b.com', 400, 'invalid_request');
test.serial(refusedRoute, 'x.com/../admin', 400, 'invalid_request');

test.serial('an app of a namespace user never sees the admin\'s API calls; the API answers on its own hosts', async (t) => {
  const thief = await rig.deploy('team-a', 'thief', headerEcho, DEV, { routes: ['thief.localhost'] });
  t.is(thief.phase, 'succeeded', JSON.stringify(thief));
  // A PATCH that would move it onto the API's hosts is refused, whatever the spelling.
  for (const route of ['127.0.0.1', 'localhost', 'slipway.example.test']) {
    const patched = await rig.request('PATCH', `${teamA}/thief`, { configuration: { routes: [route] } }, { auth: DEV });
    t.true(patched.status === 400 || patched.status === 409, `${route}: ${patched.status}`);
  }
  for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, 'slipway.example.test', 'deploy.example.test', `${hostname()}:${port()}`]) {
    const answer = await rig.request('GET', '/api/v1/namespaces', undefined, { host });
    const text = await answer.text();
    t.is(answer.status, 200, `${host}: ${text}`);
    t.notRegex(text, /stolen/, `${host} reached the app`);
    t.true(Array.isArray(JSON.parse(text)), host);
  }
  const own = await rig.request('GET', '/', undefined, { host: `thief.localhost:${port()}` });
  t.regex(await own.text(), /stolen/, 'the app still answers on its own route');
});

test.serial('deleting an app gives its route back at once: nobody answers, then another namespace may claim it', async (t) => {
  const before = await rig.request('GET', '/', undefined, { host: `web.localhost:${port()}` });
  t.regex(await before.text(), /the real web/);
  const deleted = await rig.request('DELETE', '/api/v1/namespaces/workspace/applications/web');
  t.is(deleted.status, 200);
  const after = await rig.request('GET', '/', undefined, { host: `web.localhost:${port()}` });
  t.is(after.status, 404);
  t.like(await after.json(), { code: 'route_not_found' });
  const claimed = await rig.deploy('team-a', 'newweb', staticSite('new owner'), DEV, { routes: ['web.localhost'] });
  t.is(claimed.phase, 'succeeded', JSON.stringify(claimed));
  t.regex(await (await rig.request('GET', '/', undefined, { host: `web.localhost:${port()}` })).text(), /new owner/);
});
