import test from 'ava';
import { assertName, nameProblem } from '../../../core/names.ts';
import { isSlipwayError } from '../../../core/errors.ts';

const accepts = test.macro({
  exec(t, name: string) {
    t.is(nameProblem(name), undefined);
    t.is(assertName('application', name), name);
  },
  title: (_title, name: string) => `accepts ${JSON.stringify(name)}`,
});

const refuses = test.macro({
  exec(t, name: string, rule: RegExp) {
    const error = t.throws(() => assertName('application', name));
    t.true(isSlipwayError(error, 'invalid_name'));
    t.regex(error.message, rule);
    t.is((error as { status?: number }).status, 400);
  },
  title: (_title, name: string) => `refuses ${JSON.stringify(name)}`,
});

test(accepts, 'a');
test(accepts, 'my-app');
test(accepts, '0app9');
test(accepts, 'a'.repeat(63));
test(refuses, '', /must not be empty/);
test(refuses, 'a'.repeat(64), /at most 63/);
test(refuses, 'MyApp', /lower case/);
test(refuses, '-app', /start and end/);
test(refuses, 'app-', /start and end/);
test(refuses, 'my_app', /DNS-1123/);
test(refuses, 'my.app', /DNS-1123/);
test(refuses, '../x', /DNS-1123/);

test('a new application name must start with a letter (DNS-1035); existing names are still found by DNS-1123', async (t) => {
  const { newAppNameProblem, nameProblem } = await import('../../../core/names.ts');
  t.is(newAppNameProblem('web-1'), undefined);
  t.regex(newAppNameProblem('1web')!, /must start with a letter/);
  t.regex(newAppNameProblem('Web')!, /lower case/);
  t.is(nameProblem('1web'), undefined, 'an app created before the rule is still addressable');
});
