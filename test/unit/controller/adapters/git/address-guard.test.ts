import test from 'ava';
import { createAddressGuard } from '../../../../../controller/adapters/git/address-guard.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';

const refused = test.macro({
  async exec(t, address: string, allowedHosts?: string[]) {
    const guard = createAddressGuard({ allowedHosts: allowedHosts ?? [], lookup: async () => [{ address, family: address.includes(':') ? 6 : 4 }] });
    const error = await t.throwsAsync(guard.resolve('git.example.test'));
    t.true(isSlipwayError(error, 'git_address_refused'));
    t.is((error as { status?: number }).status, 403);
  },
  title: (title, address: string, _hosts?: string[]) => `refuses ${address}${title ? ` (${title})` : ''}`,
});

const allowed = test.macro({
  async exec(t, address: string, allowedHosts?: string[]) {
    const guard = createAddressGuard({ allowedHosts: allowedHosts ?? [], lookup: async () => [{ address, family: address.includes(':') ? 6 : 4 }] });
    t.deepEqual(await guard.resolve('git.example.test'), [{ address, family: address.includes(':') ? 6 : 4 }]);
  },
  title: (title, address: string, hosts?: string[]) => `allows ${address}${hosts?.length ? ` with ${hosts.join(',')}` : ''}${title ? ` (${title})` : ''}`,
});

test('loopback', refused, '127.0.0.1');
test('loopback /8', refused, '127.8.9.10');
test('10/8', refused, '10.1.2.3');
test('172.16/12', refused, '172.31.255.254');
test('192.168/16', refused, '192.168.0.1');
test('link-local', refused, '169.254.1.1');
test('cloud metadata', refused, '169.254.169.254');
test('CGNAT', refused, '100.64.0.1');
test('unspecified', refused, '0.0.0.0');
test('this network', refused, '0.1.2.3');
test('broadcast', refused, '255.255.255.255');
test('multicast', refused, '224.0.0.1');
test('reserved 240/4', refused, '240.0.0.1');
test('documentation', refused, '192.0.2.10');
test('benchmarking', refused, '198.18.0.1');
test('IPv6 loopback', refused, '::1');
test('IPv6 unspecified', refused, '::');
test('IPv6 link-local', refused, 'fe80::1');
test('IPv6 ULA', refused, 'fd12:3456::1');
test('IPv6 ULA fc00', refused, 'fc00::1');
test('IPv6 multicast', refused, 'ff02::1');
test('IPv4-mapped loopback', refused, '::ffff:127.0.0.1');
test('IPv4-mapped private', refused, '::ffff:10.0.0.1');
test('IPv4-mapped metadata', refused, '::ffff:169.254.169.254');
test('NAT64', refused, '64:ff9b::7f00:1');
test('IPv4-compatible metadata (::169.254.169.254)', refused, '::a9fe:a9fe');
test('IPv4-compatible loopback', refused, '::7f00:1');
test('IPv4-compatible, dotted', refused, '::10.0.0.1');
test('IPv4-compatible public (deprecated block)', refused, '::8c52:7903');
test('6to4', refused, '2002:7f00:1::1');
test('IPv6 documentation', refused, '2001:db8::1');
test('private, though another host is allowed', refused, '10.0.0.1', ['git.internal', '192.168.0.0/16']);
test('public IPv4', allowed, '140.82.121.3');
test('public IPv6', allowed, '2606:4700::6810:84e5');
test('IPv4-mapped public', allowed, '::ffff:140.82.121.3');
test('private by host name', allowed, '10.0.0.7', ['GIT.example.test']);
test('private by CIDR', allowed, '10.0.0.7', ['10.0.0.0/8']);
test('loopback by single address', allowed, '127.0.0.1', ['127.0.0.1']);
test('IPv6 ULA by CIDR', allowed, 'fd00::5', ['fd00::/8']);
test('IPv4-mapped by IPv4 CIDR', allowed, '::ffff:10.1.1.1', ['10.0.0.0/8']);
test('IPv4-compatible by IPv6 CIDR', allowed, '::a9fe:a9fe', ['::/96']);

test('one refused address among several refuses the host (no picking the good one)', async (t) => {
  const guard = createAddressGuard({ allowedHosts: [], lookup: async () => [{ address: '140.82.121.3', family: 4 }, { address: '10.0.0.1', family: 4 }] });
  t.true(isSlipwayError(await t.throwsAsync(guard.resolve('git.example.test')), 'git_address_refused'));
});

test('address literals are checked without DNS', async (t) => {
  const guard = createAddressGuard({ allowedHosts: [], lookup: async () => { throw new Error('no DNS for literals'); } });
  t.true(isSlipwayError(await t.throwsAsync(guard.resolve('[::1]')), 'git_address_refused'));
  t.true(isSlipwayError(await t.throwsAsync(guard.resolve('127.0.0.1')), 'git_address_refused'));
  t.deepEqual(await guard.resolve('140.82.121.3'), [{ address: '140.82.121.3', family: 4 }]);
});

const encodedLoopback = test.macro({
  async exec(t, url: string) {
    const guard = createAddressGuard({ allowedHosts: [], lookup: async () => { throw new Error('must not reach DNS'); } });
    const error = await t.throwsAsync(guard.resolve(new URL(url).hostname));
    t.true(isSlipwayError(error, 'git_address_refused'));
  },
  title: (_title, url: string) => `refuses encoded loopback host ${url} (the URL parser normalises it)`,
});
for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/', 'http://0x7f000001/', 'http://[::ffff:7f00:1]/']) {
  test(encodedLoopback, url);
}

test('the connected address is checked too (DNS rebinding)', (t) => {
  const guard = createAddressGuard({ allowedHosts: [] });
  t.true(isSlipwayError(t.throws(() => guard.check('git.example.test', '10.0.0.1')), 'git_address_refused'));
  t.notThrows(() => guard.check('git.example.test', '140.82.121.3'));
});
