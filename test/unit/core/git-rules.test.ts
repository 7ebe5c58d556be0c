import test from 'ava';
import { validateGitUrl, validateRevision, validateSubdir } from '../../../core/git-rules.ts';
import { isSlipwayError } from '../../../core/errors.ts';

const accepts = test.macro({
  exec(t, url: string, expected: string) {
    t.is(validateGitUrl(url).href, expected);
  },
  title: (_title, url: string) => `accepts ${url}`,
});

const refuses = test.macro({
  exec(t, url: string, reason: RegExp) {
    const error = t.throws(() => validateGitUrl(url));
    t.true(isSlipwayError(error, 'invalid_git_url'));
    t.regex(error!.message, reason);
  },
  title: (_title, url: string) => `refuses ${url}`,
});

test(accepts, 'https://github.com/org/repo.git', 'https://github.com/org/repo.git');
test(accepts, 'https://github.com/org/repo/', 'https://github.com/org/repo');
test(accepts, ' http://git.local:3000/org/repo ', 'http://git.local:3000/org/repo');
test(refuses, 'file:///etc/passwd', /file scheme/);
test(refuses, 'git://github.com/org/repo.git', /git scheme/);
test(refuses, 'ssh://%E0@github.com/org/repo.git', /percent-encoding/);
test(refuses, 'ftp://example.com/repo', /ftp scheme/);
test(refuses, 'ext::sh -c touch% /tmp/pwned', /remote helpers/);
test(refuses, 'fd::17', /remote helpers/);
test(accepts, 'git@github.com:org/repo.git', 'git@github.com:org/repo.git');
test(accepts, 'GitHub.com:org/repo.git/', 'git@github.com:org/repo.git');
test(accepts, 'deploy@git.example.com:/srv/git/app.git', 'ssh://deploy@git.example.com/srv/git/app.git');
test(accepts, 'git@[::1]:org/repo.git', 'git@[::1]:org/repo.git');
test(accepts, 'ssh://git@github.com/org/repo.git', 'ssh://git@github.com/org/repo.git');
test(accepts, 'ssh://GitHub.com:22/org/repo.git/', 'ssh://git@github.com/org/repo.git');
test(accepts, 'ssh://git@git.example.com:2222/org/repo.git', 'ssh://git@git.example.com:2222/org/repo.git');
test(accepts, 'git+ssh://git@git.example.com/~/repo.git', 'ssh://git@git.example.com/~/repo.git');
test(accepts, 'ssh://git@[2001:db8::1]:2222/repo.git', 'ssh://git@[2001:db8::1]:2222/repo.git');
test(refuses, 'ssh://git:hunter2@github.com/org/repo.git', /passwords in SSH URLs/);
test(refuses, 'git:hunter2@github.com:org/repo.git', /passwords in SSH addresses/);
test(refuses, 'ssh://-oProxyCommand=touch%20x/repo.git', /host/);
test(refuses, '-oProxyCommand=x:repo.git', /host/);
test(refuses, 'ssh://-l@github.com/repo.git', /SSH user/);
test(refuses, 'git@github.com:-u/repo.git', /must not start with "-"/);
test(refuses, 'ssh://git@github.com/', /no repository path/);
test(refuses, 'git@github.com:', /no repository path/);
test(refuses, 'git@github.com:org/repo\n.git', /control characters/);

test('the parts of SSH addresses', (t) => {
  t.like(validateGitUrl('git@github.com:org/repo.git'), { transport: 'ssh', host: 'github.com', port: 22, user: 'git', path: 'org/repo.git' });
  t.like(validateGitUrl('ssh://me@host:2222/srv/a%20b.git'), { transport: 'ssh', host: 'host', port: 2222, user: 'me', path: '/srv/a b.git', href: 'ssh://me@host:2222/srv/a%20b.git' });
  t.like(validateGitUrl('ssh://host/~/repo.git'), { path: '~/repo.git' });
  t.like(validateGitUrl('https://github.com/org/repo.git'), { transport: 'http', host: 'github.com', port: 443 });
});

test('a password in an SSH address is never echoed', (t) => {
  for (const url of ['ssh://git:hunter2@github.com/org/repo.git', 'git:hunter2@github.com:org/repo.git']) {
    const error = t.throws(() => validateGitUrl(url));
    t.notRegex(`${error!.message} ${JSON.stringify((error as { data?: unknown }).data)}`, /hunter2/);
  }
});
test(refuses, '/srv/git/repo.git', /not a valid URL/);
test(refuses, '', /empty/);

test('credentials in the URL are refused and never echoed', (t) => {
  const error = t.throws(() => validateGitUrl('https://deploy:ghp_supersecret@github.com/org/repo.git'));
  t.true(isSlipwayError(error, 'invalid_git_url'));
  t.regex(error!.message, /credentials file/);
  t.notRegex(error!.message, /supersecret|deploy:/);
  t.notRegex(JSON.stringify((error as { data?: unknown }).data), /supersecret/);
});

test('a token as the only user-info is refused and never echoed', (t) => {
  const error = t.throws(() => validateGitUrl('https://ghp_supersecret@github.com/org/repo.git'));
  t.notRegex(`${error!.message} ${JSON.stringify((error as { data?: unknown }).data)}`, /supersecret/);
});

const badRevision = test.macro({
  exec(t, revision: string) {
    t.true(isSlipwayError(t.throws(() => validateRevision(revision)), 'invalid_request'));
  },
  title: (_title, revision: string) => `refuses revision ${JSON.stringify(revision)}`,
});
for (const rev of ['-h', '--upload-pack=touch x', 'main..evil', 'a\0b', 'HEAD~1', 'main^', 'a b', 'x@{1}']) test(badRevision, rev);

test('accepts ordinary revisions', (t) => {
  for (const rev of ['', 'main', 'feature/x', 'v1.2.3', 'release-2024_01', 'a1b2c3d', 'a'.repeat(40)]) t.is(validateRevision(rev), rev);
});

const badSubdir = test.macro({
  exec(t, subdir: string) {
    t.true(isSlipwayError(t.throws(() => validateSubdir(subdir)), 'invalid_request'));
  },
  title: (_title, subdir: string) => `refuses subdir ${JSON.stringify(subdir)}`,
});
for (const dir of ['..', '../etc', 'apps/../../x', '-rf', 'a\0b', 'a//b', '.git', 'a/./b']) test(badSubdir, dir);

test('normalises subdirs', (t) => {
  t.is(validateSubdir(undefined), '');
  t.is(validateSubdir(''), '');
  t.is(validateSubdir('.'), '');
  t.is(validateSubdir('/apps/web/'), 'apps/web');
  t.is(validateSubdir('./apps/web'), 'apps/web');
});
