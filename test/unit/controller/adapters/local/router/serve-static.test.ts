import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { resolveStaticFile } from '../../../../../../controller/adapters/local/router/serve-static.ts';
import { contentType } from '../../../../../../controller/adapters/local/router/content-type.ts';
import { makeTempDir } from '../../../../../helpers/temp-dir.ts';

let base: string;
let root: string;
let cleanup: () => Promise<void>;
test.before(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  root = join(base, 'site');
  await mkdir(join(root, 'docs'), { recursive: true });
  await mkdir(join(base, 'site-private'));
  await writeFile(join(base, 'secret.txt'), 'secret');
  await writeFile(join(base, 'site-private/key'), 'key');
  await writeFile(join(root, 'index.html'), 'home');
  await writeFile(join(root, 'docs/index.html'), 'docs');
  await writeFile(join(root, 'a b.css'), 'css');
  await symlink(join(base, 'secret.txt'), join(root, 'escape.txt'));
  await symlink(base, join(root, 'up'));
  await symlink(join(root, 'index.html'), join(root, 'inside.html'));
  await mkdir(join(root, '.git'));
  await mkdir(join(root, '.well-known/acme-challenge'), { recursive: true });
  await mkdir(join(root, 'docs/.private'));
  await writeFile(join(root, '.env'), 'SECRET=1');
  await writeFile(join(root, '.git/config'), 'git');
  await writeFile(join(root, 'docs/.private/notes'), 'notes');
  await writeFile(join(root, '.well-known/security.txt'), 'contact');
  await writeFile(join(root, '.well-known/acme-challenge/token'), 'token');
  await symlink(join(root, '.env'), join(root, 'env.txt'));
});
test.after.always(() => cleanup());

const refused = test.macro({
  async exec(t, path: string) {
    t.is(await resolveStaticFile(root, path), undefined);
  },
  title: (_, path) => `${path} serves nothing`,
});
for (const path of ['/.env', '/%2eenv', '/.git/config', '/docs/.private/notes', '/docs/%2Eprivate/notes', '/env.txt', '/docs/.well-known/x', '/.well-known/../.env', '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/docs/../../secret.txt', '/..%2f..%2fsecret.txt', '/../site-private/key', '/escape.txt', '/up/secret.txt', '/missing', '/%00', '/%zz', '/..\\secret.txt']) {
  test(refused, path);
}

test('files, folders and encoded names resolve inside the root', async (t) => {
  t.like(await resolveStaticFile(root, '/'), { size: 4 });
  t.like(await resolveStaticFile(root, '/docs/'), { file: join(root, 'docs/index.html') });
  t.is(await resolveStaticFile(root, '/docs'), 'folder-without-slash');
  t.like(await resolveStaticFile(root, '/a%20b.css'), { size: 3 });
  t.like(await resolveStaticFile(root, '/inside.html'), { file: join(root, 'index.html') });
});

test('/.well-known/ is served although it is a dot-folder', async (t) => {
  t.like(await resolveStaticFile(root, '/.well-known/security.txt'), { size: 7 });
  t.like(await resolveStaticFile(root, '/.well-known/acme-challenge/token'), { size: 5 });
});

test('content types', (t) => {
  t.is(contentType('x/index.HTML'), 'text/html; charset=utf-8');
  t.is(contentType('app.mjs'), 'text/javascript; charset=utf-8');
  t.is(contentType('logo.svg'), 'image/svg+xml');
  t.is(contentType('data.bin'), 'application/octet-stream');
});
