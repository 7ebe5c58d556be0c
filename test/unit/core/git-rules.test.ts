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
test(refuses, 'ssh://git@github.com/org/repo.git', /ssh scheme/);
test(refuses, 'git://github.com/org/repo.git', /git scheme/);
test(refuses, 'ftp://example.com/repo', /ftp scheme/);
test(refuses, 'ext::sh -c touch% /tmp/pwned', /remote helpers/);
test(refuses, 'fd::17', /remote helpers/);
test(refuses, 'git@github.com:org/repo.git', /scp-like/);
test(refuses, 'github.com:org/repo.git', /scp-like/);
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
