import test from 'ava';
import { hostName, parseRoute } from '../../../../../../controller/adapters/local/router/parse-host.ts';
import { createRouteTable } from '../../../../../../controller/adapters/local/router/route-table.ts';

const hosts = test.macro({
  exec(t, header: string | undefined, expected: string | undefined) {
    t.is(hostName(header), expected);
  },
  title: (_, header) => `Host ${JSON.stringify(header)} is compared as its lower-case name`,
});
test(hosts, 'web.localhost', 'web.localhost');
test(hosts, 'Web.LocalHost:8080', 'web.localhost');
test(hosts, 'web.localhost.', 'web.localhost');
test(hosts, '[::1]:8080', '[::1]');
test(hosts, '127.0.0.1:80', '127.0.0.1');
test(hosts, '', undefined);
test(hosts, undefined, undefined);

test('routes split into host and path prefix', (t) => {
  t.deepEqual(parseRoute('Web.localhost:8080/api/'), { host: 'web.localhost', prefix: '/api' });
  t.deepEqual(parseRoute('web.localhost'), { host: 'web.localhost', prefix: '' });
  t.throws(() => parseRoute('/only-a-path'));
});

const table = createRouteTable<string>();
table.set('shop.localhost', 'site');
table.set('shop.localhost/api', 'api');
table.set('shop.localhost/api/v2', 'v2');
table.set('web.localhost', 'web');

const matches = test.macro({
  exec(t, host: string, path: string, expected: string | undefined) {
    t.is(table.match(host, path)?.target, expected);
  },
  title: (_, host, path, expected) => `${host}${path} → ${expected ?? 'no route'}`,
});
test(matches, 'shop.localhost', '/', 'site');
test(matches, 'shop.localhost', '/api', 'api');
test(matches, 'shop.localhost', '/api/orders', 'api');
test(matches, 'shop.localhost', '/api/v2/orders', 'v2');
test(matches, 'shop.localhost', '/apiary', 'site');
test(matches, 'SHOP.LOCALHOST:8080', '/api/v2', 'v2');
test(matches, 'web.localhost', '/anything', 'web');
test(matches, 'other.localhost', '/', undefined);

test('replacing and removing routes', (t) => {
  const routes = createRouteTable<string>();
  routes.set('a.localhost/x', 'one');
  routes.set('a.localhost/x/', 'two');
  t.is(routes.match('a.localhost', '/x/y')?.target, 'two');
  t.is(routes.match('a.localhost', '/'), undefined);
  t.true(routes.hasHost('A.localhost:1'));
  routes.remove('a.localhost/x');
  t.false(routes.hasHost('a.localhost'));
});

test('a route held by one owner is not taken by a later claim; it goes back when the later one lets go', (t) => {
  const claims = createRouteTable<string>();
  claims.set('web.localhost', 'web-v1', 'workspace/web');
  claims.set('web.localhost', 'evil', 'team-a/evil');
  t.is(claims.match('web.localhost:1', '/')?.target, 'web-v1', 'the first owner keeps serving');
  claims.set('web.localhost', 'web-v2', 'workspace/web');
  t.is(claims.match('web.localhost', '/')?.target, 'web-v2', 'an owner replaces its own target');
  claims.remove('web.localhost', 'team-a/evil');
  t.is(claims.match('web.localhost', '/')?.target, 'web-v2');
  claims.remove('web.localhost', 'workspace/web');
  t.is(claims.match('web.localhost', '/'), undefined, 'no owner left: nobody answers');
});

test('when the holder lets go, the route goes back to the owner that claimed it before', (t) => {
  const claims = createRouteTable<string>();
  claims.set('web.localhost', 'first', 'ns/first');
  claims.set('web.localhost', 'second', 'ns/second');
  claims.remove('web.localhost', 'ns/first');
  t.is(claims.match('web.localhost', '/')?.target, 'second');
});
