/**
 * `slipway apps list` prints from the listing's summaries (ADR 0007) what it printed
 * from the whole Apps: every column comes from what a summary keeps.
 */
import test from 'ava';
import { appsListText } from '../../../cli/render-text.ts';
import { appSummary } from '../../../core/app-summary.ts';
import type { App, Run } from '../../../core/types.ts';

const release = { number: 2, stageId: 's2', image: 'img:2', blobuid: 'b2', revision: 'a'.repeat(40), branch: 'main', createdAt: '2026-12-05T07:00:00Z' };
const run = (id: string, phase: Run['phase'], error?: Run['error']): Run => ({ id, kind: 'deploy', phase, startedAt: '2026-12-05T07:00:00Z', ...(error ? { error } : {}) });
const app = (name: string, status: App['status']): App => ({
  metadata: { namespace: 'workspace', name, resourceVersion: '1', generation: 1, createdAt: '2026-12-05T06:00:00Z' },
  spec: { instances: 2, env: {}, routes: [], origin: { kind: 'git', url: 'https://github.com/acme/web', branch: 'main' } },
  status,
});

test('apps list shows the same table from summaries as from whole Apps', (t) => {
  const failed = run('r3', 'failed', { code: 'stage_failed', message: 'npm ci exited with code 1' });
  const apps = [
    app('web', { release, releases: [release], run: failed, runs: [failed, run('r2', 'succeeded')], urls: ['http://web.example.com/'], runtime: { phase: 'running', desired: 2, ready: 2, restarts: 0 }, source: { blobuid: 'b2', revision: 'a'.repeat(40), branch: 'main', format: 'tar.gz', size: 1, createdAt: '2026-12-05T07:00:00Z' } }),
    app('api', { run: run('r1', 'staging'), runs: [run('r1', 'staging')] }),
    app('old', { conditions: [{ type: 'Ready', status: 'False', reason: 'StateCorrupt', message: 'moved aside to old.json.corrupt', lastTransitionTime: '2026-12-05T07:00:00Z' }] }),
    app('new', {}),
  ];
  const whole = appsListText(apps, 'workspace');
  t.is(appsListText(apps.map(appSummary), 'workspace'), whole);
  t.regex(whole, /web\s+2\/2\s+running \(last deploy failed\)/);
  t.regex(whole, /api\s+\S+\s+staging/);
  t.regex(whole, /old needs attention: moved aside/);
});
