import test from 'ava';
import { cacheClaimName, stageImage, stageJobName } from '../../../controller/adapters/kube/runtime/stage/stage-names.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const jobName = test.macro({
  exec(t, app: string, stageId: string, expected?: string) {
    const name = stageJobName(app, stageId);
    t.true(name.length <= 63, name);
    t.regex(name, DNS_LABEL);
    t.true(name.endsWith(`-stage-${stageId}`) || name.startsWith('stage-'), name);
    if (expected) t.is(name, expected);
  },
  title: (provided, app: string) => `Job name for app of ${app.length} characters ${provided ?? ''}`.trim(),
});

test(jobName, 'web', 'lz3k9f2a1b2c3d4', 'web-stage-lz3k9f2a1b2c3d4');
test(jobName, 'a'.repeat(39), 'lz3k9f2a1b2c3d4', `${'a'.repeat(39)}-stage-lz3k9f2a1b2c3d4`);
test(jobName, 'a'.repeat(63), 'lz3k9f2a1b2c3d4');
test('(dash at the cut)', jobName, `${'a'.repeat(40)}-${'b'.repeat(22)}`, 'lz3k9f2a1b2c3d4');
test('(stage id too long for any app prefix)', jobName, 'web', 'x'.repeat(60));

test('shortened names of two long apps with a common prefix differ', (t) => {
  const prefix = 'a'.repeat(50);
  t.not(stageJobName(`${prefix}-one`, 'lz3k9f2a1b2c3d4'), stageJobName(`${prefix}-two`, 'lz3k9f2a1b2c3d4'));
});

test('the image is <registry>/<namespace>/<app>:<stageId>, whatever slashes end the registry', (t) => {
  t.is(stageImage('registry.local:5000', 'team', 'web', 's1'), 'registry.local:5000/team/web:s1');
  t.is(stageImage('registry.local:5000/', 'team', 'web', 's1'), 'registry.local:5000/team/web:s1');
});

test('the cache claim is <app>-cache', (t) => {
  t.is(cacheClaimName('web'), 'web-cache');
});

test('namespace a-b app c and namespace a app b-c push to different repositories', (t) => {
  t.not(stageImage('r.local', 'a-b', 'c', 's1'), stageImage('r.local', 'a', 'b-c', 's1'));
});
