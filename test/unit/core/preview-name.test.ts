/**
 * Preview names (`<app>-pr-<number>`, shortened with a hash past 63 characters) and
 * the grouping of previews under their parent in lists.
 */
import test from 'ava';
import { parsePullRequestRef, previewName } from '../../../core/preview-name.ts';
import { groupPreviews } from '../../../core/group-previews.ts';
import { nameProblem } from '../../../core/names.ts';

test('a short parent gives <app>-pr-<number>', (t) => {
  t.is(previewName('web', 12), 'web-pr-12');
});

test('a long parent is cut and hashed: a DNS label, distinct for two parents sharing their first characters', (t) => {
  const a = previewName(`${'a'.repeat(58)}-one`, 12345);
  const b = previewName(`${'a'.repeat(58)}-two`, 12345);
  t.is(a.length, 63);
  t.regex(a, /-pr-12345$/);
  t.is(nameProblem(a), undefined);
  t.not(a, b);
  // Exactly at the limit it is kept as it is.
  t.is(previewName('b'.repeat(57), 1), `${'b'.repeat(57)}-pr-1`);
});

test('a cut that ends on "-" does not make "--"', (t) => {
  const name = previewName(`${'c'.repeat(49)}-${'d'.repeat(20)}`, 7);
  t.is(nameProblem(name), undefined);
  t.false(name.includes('--'));
});

test('pull request refs of GitHub, Gitea and GitLab are read; others are not', (t) => {
  t.deepEqual(parsePullRequestRef('refs/pull/5/head'), { style: 'pull', number: 5 });
  t.deepEqual(parsePullRequestRef('refs/merge-requests/17/head'), { style: 'merge-requests', number: 17 });
  t.is(parsePullRequestRef('refs/pull/5/merge'), undefined);
  t.is(parsePullRequestRef('refs/pull/0/head'), undefined);
  t.is(parsePullRequestRef('refs/heads/pull/5/head'), undefined);
});

test('previews follow their parent in pull request order; orphans stay put', (t) => {
  const app = (name: string, preview?: { parent: string; number: number }) => ({ metadata: { namespace: 'ns', name }, spec: preview ? { preview } : {} });
  const apps = [app('web-pr-10', { parent: 'web', number: 10 }), app('api'), app('gone-pr-1', { parent: 'gone', number: 1 }), app('web'), app('web-pr-2', { parent: 'web', number: 2 })];
  t.deepEqual(groupPreviews(apps).map((a) => a.metadata.name), ['api', 'gone-pr-1', 'web', 'web-pr-2', 'web-pr-10']);
});
