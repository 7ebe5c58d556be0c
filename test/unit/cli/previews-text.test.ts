/**
 * What `slipway apps list` and `slipway app previews` print for previews (issue 15):
 * previews right under their parent, marked with their pull request; the settings and
 * the open previews with what to do next.
 */
import test from 'ava';
import { appPreviewsText, appsListText } from '../../../cli/render-text.ts';
import type { App } from '../../../core/types.ts';

const app = (name: string, preview?: { parent: string; number: number }): App => ({
  metadata: { namespace: 'workspace', name, resourceVersion: '1', generation: 1, createdAt: '2026-12-05T07:00:00Z' },
  spec: { instances: 1, env: {}, routes: [], origin: { kind: 'git', url: 'https://github.com/acme/web' }, ...(preview ? { preview: { ...preview, ref: `refs/pull/${preview.number}/head` } } : {}) },
  status: {},
});

test('apps list shows previews under their parent with their pull request', (t) => {
  const text = appsListText([app('web-pr-7', { parent: 'web', number: 7 }), app('api'), app('web')], 'workspace');
  const [header, ...rows] = text.split('\n');
  const names = rows.map((line) => line.slice(0, header!.indexOf('INSTANCES')).trimEnd());
  t.deepEqual(names, ['api', 'web', '  └ web-pr-7 (#7)']);
  t.regex(text, /web-pr-7 \(#7\)\s+\S+\s+\S+\s+preview/);
});

test('app previews says how to turn them on, lists them, and marks forks', (t) => {
  t.is(appPreviewsText({ app: 'web', previews: { enabled: false, max: 5, allowForks: false }, items: [] }),
    'Previews of web are off. Turn them on with `slipway app previews web --on`.');
  t.regex(appPreviewsText({ app: 'web', previews: { enabled: true, max: 5, allowForks: false }, items: [] }), /No open previews/);
  const listed = appPreviewsText({ app: 'web', previews: { enabled: true, max: 3, allowForks: true }, items: [
    { name: 'web-pr-2', number: 2, fork: true, revision: 'a'.repeat(40), phase: 'succeeded', url: 'http://web-pr-2.apps.test/' },
  ] });
  t.regex(listed, /at most 3 open, forks built \(without secret env values\)/);
  t.regex(listed, /#2 \(fork\)\s+web-pr-2\s+succeeded\s+aaaaaaaaaaaa\s+http:\/\/web-pr-2\.apps\.test\//);
});
