import test from 'ava';
import { branchOfRef, normaliseRepoUrl } from '../../../core/repo-url.ts';

const same = [
  'https://github.com/Org/App',
  'https://GitHub.com/Org/App.git',
  'https://github.com/Org/App.git/',
  'http://github.com/Org/App',
  'git@github.com:Org/App.git',
  'ssh://git@github.com/Org/App.git',
  'git://github.com/Org/App.git',
  'https://github.com:443/Org/App',
];
for (const url of same) {
  test(`normalises ${url}`, (t) => t.is(normaliseRepoUrl(url), 'github.com/Org/App'));
}

test('a non-default port and nested groups are kept', (t) => {
  t.is(normaliseRepoUrl('http://127.0.0.1:8080/group/sub/app.git'), '127.0.0.1:8080/group/sub/app');
  t.is(normaliseRepoUrl('https://gitlab.com/group/sub/app'), 'gitlab.com/group/sub/app');
});

test('garbage is not a repository', (t) => {
  for (const url of ['', 'not a url', 'file:///etc/passwd', 'https://github.com/', 'ext::sh -c x']) t.is(normaliseRepoUrl(url), undefined, url);
});

test('branches come from refs/heads/ as a prefix, slashes kept', (t) => {
  t.is(branchOfRef('refs/heads/main'), 'main');
  t.is(branchOfRef('refs/heads/feature/x'), 'feature/x');
  t.is(branchOfRef('refs/tags/v1'), undefined);
  t.is(branchOfRef('refs/heads/'), undefined);
  t.is(branchOfRef('main'), undefined);
});

test('SSH and HTTPS spellings of one repository are one repository (issue 17)', (t) => {
  for (const [ssh, https] of [
    ['git@github.com:org/api.git', 'https://github.com/org/api'],
    ['ssh://git@github.com:22/org/api.git', 'https://github.com/org/api.git'],
    ['git@github.com:/org/api.git', 'https://github.com/org/api/'],
    ['git@gitlab.com:group/sub/api.git', 'https://gitlab.com/group/sub/api'],
    ['ssh://git@Bitbucket.org/team/api', 'https://bitbucket.org/team/api.git'],
  ]) t.is(normaliseRepoUrl(ssh!), normaliseRepoUrl(https!), ssh);
  // Another port is another server: it keeps its port and matches only itself.
  t.is(normaliseRepoUrl('ssh://git@git.example.com:2222/org/api.git'), 'git.example.com:2222/org/api');
  t.not(normaliseRepoUrl('ssh://git@git.example.com:2222/org/api.git'), normaliseRepoUrl('https://git.example.com/org/api'));
});
