import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGitCredentials, parseGitCredentials } from '../../../../../controller/adapters/git/git-credentials.ts';
import { isSlipwayError } from '../../../../../core/errors.ts';

const file = `
# comment
https://deploy:tok%2Fen@github.com
https://org-bot:org-token@github.com/acme
https://other:x@github.com/acme/special.git
http://local:pw@git.local:3000
`;

const lookups = test.macro({
  exec(t, url: string, expected: { username: string; password: string } | undefined) {
    t.deepEqual(parseGitCredentials(file).forUrl(url), expected);
  },
  title: (_title, url: string) => `credentials for ${url}`,
});

test(lookups, 'https://github.com/someone/repo.git', { username: 'deploy', password: 'tok/en' });
test(lookups, 'https://github.com/acme/repo.git', { username: 'org-bot', password: 'org-token' });
test(lookups, 'https://github.com/acme/special.git', { username: 'other', password: 'x' });
test(lookups, 'https://github.com/acmeother/repo.git', { username: 'deploy', password: 'tok/en' });
test(lookups, 'http://github.com/someone/repo.git', undefined);
test(lookups, 'http://git.local:3000/a/b', { username: 'local', password: 'pw' });
test(lookups, 'http://git.local/a/b', undefined);
test(lookups, 'https://gitlab.com/a/b', undefined);

test('a malformed line is refused by line number, without its content', (t) => {
  const error = t.throws(() => parseGitCredentials('https://ok:fine@github.com\nnot a url with secret-token\n'));
  t.true(isSlipwayError(error, 'invalid_config'));
  t.regex(error!.message, /line 2/);
  t.notRegex(error!.message, /secret-token/);
});

test('a line without a username is refused', (t) => {
  t.throws(() => parseGitCredentials('https://github.com\n'));
});

test('a missing file means no credentials; an existing one is read', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-cred-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.is((await loadGitCredentials(join(dir, 'absent'))).forUrl('https://github.com/a/b'), undefined);
  await writeFile(join(dir, 'creds'), 'https://u:p@example.com\n');
  t.deepEqual((await loadGitCredentials(join(dir, 'creds'))).forUrl('https://example.com/a'), { username: 'u', password: 'p' });
});
