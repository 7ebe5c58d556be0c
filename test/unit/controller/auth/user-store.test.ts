import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bootstrapUsers, createAuthenticator, loadUsers } from '../../../../controller/auth/user-store.ts';
import { hashPassword, verifyPassword } from '../../../../controller/auth/password-hash.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';

test('scrypt hashes verify only the right password', async (t) => {
  const hash = await hashPassword('correct horse');
  t.regex(hash, /^scrypt\$16384\$8\$1\$/);
  t.true(await verifyPassword('correct horse', hash));
  t.false(await verifyPassword('correct horsE', hash));
  t.false(await verifyPassword('x', 'not-a-hash'));
});

test('first start generates an admin password once, kept with mode 0600', async (t) => {
  const { dir, cleanup } = await makeTempDir();
  t.teardown(cleanup);
  const usersFile = join(dir, 'users.json');
  const passwordFile = join(dir, 'admin-password');
  const first = await bootstrapUsers(usersFile, passwordFile);
  t.truthy(first.generated);
  t.is((await readFile(passwordFile, 'utf8')).trim(), first.generated ?? 'missing');
  t.is((await stat(passwordFile)).mode & 0o777, 0o600);
  t.is((await stat(usersFile)).mode & 0o777, 0o600);
  t.false((await readFile(usersFile, 'utf8')).includes(first.generated ?? 'missing'), 'the users file holds a hash, not the password');
  const second = await bootstrapUsers(usersFile, passwordFile);
  t.is(second.generated, undefined, 'not generated again');
  const auth = createAuthenticator(await loadUsers(usersFile));
  t.is((await auth.authenticate('admin', first.generated!))?.username, 'admin');
});

test('SLIPWAY_ADMIN_PASSWORD sets and later rotates the admin password', async (t) => {
  const { dir, cleanup } = await makeTempDir();
  t.teardown(cleanup);
  const usersFile = join(dir, 'users.json');
  t.deepEqual(await bootstrapUsers(usersFile, join(dir, 'pw'), 'first-password'), { generated: undefined });
  await bootstrapUsers(usersFile, join(dir, 'pw'), 'second-password');
  const auth = createAuthenticator(await loadUsers(usersFile));
  t.is(await auth.authenticate('admin', 'first-password'), undefined);
  t.truthy(await auth.authenticate('admin', 'second-password'));
});

test('wrong user or password is refused alike', async (t) => {
  const users = [{ username: 'dev', passwordHash: await hashPassword('s3cret-pass'), namespaces: ['*'] }];
  const auth = createAuthenticator(users);
  t.is(await auth.authenticate('dev', 'wrong'), undefined);
  t.is(await auth.authenticate('nobody', 's3cret-pass'), undefined);
  t.is((await auth.authenticate('dev', 's3cret-pass'))?.username, 'dev');
  t.is((await auth.authenticate('dev', 's3cret-pass'))?.username, 'dev', 'remembered success still answers');
});
