/**
 * The pure payload mappers, table-driven: which outcome each provider's payload gives,
 * and that malformed ones throw `invalid_payload` instead of crashing.
 */
import test from 'ava';
import { isSlipwayError } from '../../../core/errors.ts';
import { mapGithubPush } from '../../../webhooks/map-github-push.ts';
import { mapGitlabPush } from '../../../webhooks/map-gitlab-push.ts';
import { mapGiteaPush } from '../../../webhooks/map-gitea-push.ts';
import { mapGenericPush } from '../../../webhooks/map-generic-push.ts';
import type { WebhookOutcome } from '../../../webhooks/webhook-outcome.ts';

const SHA = 'a'.repeat(40);
const ZERO = '0'.repeat(40);
const ghRepo = { html_url: 'https://github.com/o/r', clone_url: 'https://github.com/o/r.git', ssh_url: 'git@github.com:o/r.git', git_url: 'git://github.com/o/r.git', url: 'https://github.com/o/r' };
const ghUrls = ['https://github.com/o/r', 'https://github.com/o/r.git', 'git@github.com:o/r.git', 'git://github.com/o/r.git'];
const glProject = { web_url: 'https://gitlab.com/g/p', git_http_url: 'https://gitlab.com/g/p.git', git_ssh_url: 'git@gitlab.com:g/p.git', http_url: 'https://gitlab.com/g/p.git' };

const maps = test.macro({
  exec(t, map: () => WebhookOutcome, expected: Partial<WebhookOutcome>) {
    t.like(map(), expected);
  },
  title: (name = '') => `maps ${name}`,
});
test('a GitHub push to a branch', maps, () => mapGithubPush('push', { ref: 'refs/heads/main', after: SHA, repository: ghRepo }), { kind: 'push', branch: 'main', after: SHA, repositoryUrls: ghUrls });
test('a GitHub push to a branch with slashes', maps, () => mapGithubPush('push', { ref: 'refs/heads/a/b/c', after: SHA, repository: ghRepo }), { kind: 'push', branch: 'a/b/c' });
test('a GitHub push with a SHA-256 object id', maps, () => mapGithubPush('push', { ref: 'refs/heads/main', after: 'b'.repeat(64), repository: ghRepo }), { kind: 'push', after: 'b'.repeat(64) });
test('a GitHub branch deletion', maps, () => mapGithubPush('push', { ref: 'refs/heads/main', after: ZERO, deleted: true, repository: ghRepo }), { kind: 'ignored', reason: 'branch main was deleted' });
test('a GitHub tag push', maps, () => mapGithubPush('push', { ref: 'refs/tags/v1', after: SHA, repository: ghRepo }), { kind: 'ignored', reason: 'tag push refs/tags/v1: Slipway follows branches' });
test('a GitHub push to refs/heads/ alone', maps, () => mapGithubPush('push', { ref: 'refs/heads/', after: SHA, repository: ghRepo }), { kind: 'ignored', reason: 'push to refs/heads/: not a branch' });
test('a GitHub ping', maps, () => mapGithubPush('ping', { zen: 'Keep it logically awesome.', hook_id: 1 }), { kind: 'ping', zen: 'Keep it logically awesome.', repositoryUrls: [] });
test('another GitHub event, keeping its repository for the secret lookup', maps, () => mapGithubPush('star', { action: 'created', repository: { ...ghRepo, html_url: 7 } }), { kind: 'ignored', repositoryUrls: ['https://github.com/o/r.git', 'git@github.com:o/r.git', 'git://github.com/o/r.git', 'https://github.com/o/r'] });
test('another GitHub event with a broken repository', maps, () => mapGithubPush('star', { repository: null }), { kind: 'ignored', repositoryUrls: [] });
test('a GitLab push', maps, () => mapGitlabPush('Push Hook', { object_kind: 'push', ref: 'refs/heads/main', after: SHA, project: glProject }), { kind: 'push', branch: 'main', repositoryUrls: ['https://gitlab.com/g/p', 'https://gitlab.com/g/p.git', 'git@gitlab.com:g/p.git'] });
test('a GitLab push through a system hook', maps, () => mapGitlabPush('System Hook', { object_kind: 'push', ref: 'refs/heads/main', after: SHA, project: glProject }), { kind: 'push' });
test('a GitLab branch deletion', maps, () => mapGitlabPush('Push Hook', { object_kind: 'push', ref: 'refs/heads/main', after: ZERO, checkout_sha: null, project: glProject }), { kind: 'ignored', reason: 'branch main was deleted' });
test('a GitLab merge request update', maps, () => mapGitlabPush('Merge Request Hook', { object_kind: 'merge_request', object_attributes: { iid: 4, action: 'update', state: 'opened', source_project_id: 1, target_project_id: 1, last_commit: { id: SHA } }, project: glProject }), { kind: 'pull_request', number: 4, action: 'open', fork: false, head: SHA });
test('a GitLab merge request merged', maps, () => mapGitlabPush('Merge Request Hook', { object_kind: 'merge_request', object_attributes: { iid: 4, action: 'merge', state: 'merged' }, project: glProject }), { kind: 'pull_request', number: 4, action: 'close' });
test('a GitLab merge request from another project', maps, () => mapGitlabPush('Merge Request Hook', { object_kind: 'merge_request', object_attributes: { iid: 5, action: 'open', source_project_id: 9, target_project_id: 1 }, project: glProject }), { kind: 'pull_request', fork: true });
test('a GitLab merge request approval', maps, () => mapGitlabPush('Merge Request Hook', { object_kind: 'merge_request', object_attributes: { iid: 5, action: 'approved' }, project: glProject }), { kind: 'ignored' });
test('a GitHub pull request synchronize', maps, () => mapGithubPush('pull_request', { action: 'synchronize', number: 7, pull_request: { head: { sha: SHA, repo: { full_name: 'o/r' } }, base: { repo: { full_name: 'O/R' } } }, repository: ghRepo }), { kind: 'pull_request', number: 7, action: 'open', fork: false, head: SHA });
test('a GitHub pull request from a fork', maps, () => mapGithubPush('pull_request', { action: 'opened', number: 8, pull_request: { head: { sha: SHA, repo: { full_name: 'someone/r' } }, base: { repo: { full_name: 'o/r' } } }, repository: ghRepo }), { kind: 'pull_request', fork: true });
test('a GitHub pull request whose fork was deleted', maps, () => mapGithubPush('pull_request', { action: 'synchronize', number: 8, pull_request: { head: { sha: SHA, repo: null }, base: { repo: { full_name: 'o/r' } } }, repository: ghRepo }), { kind: 'pull_request', fork: true });
test('a GitHub pull request closed', maps, () => mapGithubPush('pull_request', { action: 'closed', number: 7, pull_request: { head: { sha: SHA, repo: { full_name: 'o/r' } }, base: { repo: { full_name: 'o/r' } } }, repository: ghRepo }), { kind: 'pull_request', action: 'close' });
test('a GitHub pull request labelled', maps, () => mapGithubPush('pull_request', { action: 'labeled', number: 7, pull_request: { head: { sha: SHA, repo: null }, base: { repo: null } }, repository: ghRepo }), { kind: 'ignored' });
test('a Gitea pull request synchronized', maps, () => mapGiteaPush('pull_request', { action: 'synchronized', number: 3, pull_request: { head: { sha: SHA, repo_id: 2 }, base: { repo_id: 2 } }, repository: { html_url: 'https://gitea.io/o/r' } }), { kind: 'pull_request', number: 3, action: 'open', fork: false });
test('a Gitea pull request from a fork', maps, () => mapGiteaPush('pull_request', { action: 'opened', number: 3, pull_request: { head: { sha: SHA, repo_id: 5 }, base: { repo_id: 2 } }, repository: { html_url: 'https://gitea.io/o/r' } }), { kind: 'pull_request', fork: true });
test('a Gitea push', maps, () => mapGiteaPush('push', { ref: 'refs/heads/dev', after: SHA, repository: { html_url: 'https://gitea.io/o/r', clone_url: 'https://gitea.io/o/r.git', ssh_url: 'git@gitea.io:o/r.git' } }), { kind: 'push', branch: 'dev' });
test('a Gitea deletion as a push', maps, () => mapGiteaPush('push', { ref: 'refs/heads/dev', after: ZERO, repository: { html_url: 'https://gitea.io/o/r' } }), { kind: 'ignored' });
test('a generic push without after', maps, () => mapGenericPush({ repository: 'https://x.org/o/r', ref: 'refs/heads/main' }), { kind: 'push', branch: 'main', repositoryUrls: ['https://x.org/o/r'] });

test('a generic push without after has no after', (t) => {
  t.false('after' in mapGenericPush({ repository: 'https://x.org/o/r', ref: 'refs/heads/main' }));
});

const refuses = test.macro({
  exec(t, map: () => WebhookOutcome, detail: RegExp) {
    const error = t.throws(map);
    t.true(isSlipwayError(error, 'invalid_payload'));
    t.is((error as { status?: number }).status, 400);
    t.regex(error!.message, detail);
  },
  title: (name = '') => `refuses ${name}`,
});
test('a GitHub push that is an array', refuses, () => mapGithubPush('push', []), /payload: /);
test('a GitHub push with repository []', refuses, () => mapGithubPush('push', { ref: 'refs/heads/main', repository: [] }), /repository: /);
test('a GitHub push whose repository has only empty URLs', refuses, () => mapGithubPush('push', { ref: 'refs/heads/main', repository: { html_url: '' } }), /repository\.html_url/);
test('a GitHub ping that is null', refuses, () => mapGithubPush('ping', null), /payload: /);
test('another GitHub event that is a string', refuses, () => mapGithubPush('issues', 'hello'), /expected a JSON object/);
test('a GitLab push with a wrong-typed ref', refuses, () => mapGitlabPush('Push Hook', { object_kind: 'push', ref: ['refs/heads/main'], after: SHA, project: glProject }), /ref: /);
test('a GitLab push without a project', refuses, () => mapGitlabPush('Push Hook', { object_kind: 'push', ref: 'refs/heads/main', after: SHA }), /project: /);
test('a GitLab push whose project has no URL', refuses, () => mapGitlabPush('Push Hook', { object_kind: 'push', ref: 'refs/heads/main', after: SHA, project: {} }), /project has no URL/);
test('a Gitea push with repository null', refuses, () => mapGiteaPush('push', { ref: 'refs/heads/main', repository: null }), /repository: /);
test('a generic body without repository', refuses, () => mapGenericPush({ ref: 'refs/heads/main' }), /repository: /);
