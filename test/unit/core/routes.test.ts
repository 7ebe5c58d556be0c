import test from 'ava';
import { isAddressHost, normalizeRoute, parseRouteInput } from '../../../core/routes.ts';

const normal = test.macro({
  exec(t, input: string, expected: string) {
    t.is(normalizeRoute(input), expected);
  },
  title: (_, input, expected) => `route ${JSON.stringify(input)} is stored as ${JSON.stringify(expected)}`,
});
test(normal, 'web.localhost', 'web.localhost');
test(normal, 'Web.LocalHost', 'web.localhost');
test(normal, 'web.localhost/', 'web.localhost');
test(normal, 'web.localhost.', 'web.localhost');
test(normal, 'web.localhost/api//', 'web.localhost/api');
test(normal, 'Shop.Example.com/Admin/', 'shop.example.com/Admin');
test(normal, 'bücher.example/shop', 'xn--bcher-kva.example/shop');
test(normal, ' web.localhost ', 'web.localhost');

const refused = test.macro({
  exec(t, input: string, problem: RegExp) {
    const parsed = parseRouteInput(input);
    t.is(typeof parsed, 'string', `${input} was accepted as ${JSON.stringify(parsed)}`);
    t.regex(parsed as string, problem);
  },
  title: (_, input) => `route ${JSON.stringify(input)} is refused`,
});
test(refused, '127.0.0.1', /IP address/);
test(refused, '127.0.0.1:8080/api', /no port/);
test(refused, '[::1]', /IP address/);
test(refused, 'localhost', /address of the machine/);
test(refused, 'LOCALHOST', /address of the machine/);
test(refused, 'web.localhost:1', /a route has no port: write "web.localhost"/);
test(refused, 'web.localhost:8080/api', /no port/);
test(refused, '2130706433', /address of the machine/);
test(refused, '0x7f.1', /address of the machine/);
test(refused, 'x.com:99999', /no port/);
test(refused, 'x.com:0', /no port/);
test(refused, 'a..b.com', /empty label/);
test(refused, '.b.com', /empty label/);
test(refused, 'x.com/../admin', /"\.\."/);
test(refused, 'x.com/a/./b', /"\."/);
test(refused, 'x.com//admin', /"\/\/"/);
test(refused, 'x.com/a%2f..', /encode/);
test(refused, 'x.com/a?b=1', /"\?"/);
test(refused, 'http://x.com', /without a scheme/);
test(refused, '-x.com', /not a valid host name/);
test(refused, '*.x.com', /not a valid host name/);
test(refused, '', /empty/);
test(refused, 'x.com/a b', /spaces/);

test('IP literals, numeric hosts and localhost are addresses; names are not', (t) => {
  for (const host of ['127.0.0.1', '10.0.0.1', '[::1]', '::1', 'localhost', '2130706433', '0x7f.1', 'foo.123']) t.true(isAddressHost(host), host);
  for (const host of ['web.localhost', 'example.com', 'a1.b2']) t.false(isAddressHost(host), host);
});
