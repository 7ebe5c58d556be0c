/**
 * The generated reference sections of docs/cli.md and docs/configuration.md match the
 * code (issue 13, docs that cannot rot): change a flag or a setting without
 * `npm run docs` and this fails, naming the file.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { configReference, generatedDocs, markers, replaceSection } from '../../../scripts/generate-docs.ts';
import { configSchema } from '../../../core/config.ts';

test('docs/cli.md and docs/configuration.md hold what scripts/generate-docs.ts generates (npm run docs)', async (t) => {
  for (const [path, { current, wanted }] of await generatedDocs()) {
    t.is(current, wanted, `${path} is stale: run npm run docs`);
  }
});

test('every setting of the schema is also described in the prose of docs/configuration.md', async (t) => {
  const page = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
  const prose = page.slice(0, page.indexOf(markers('CONFIGURATION REFERENCE').begin));
  const undescribed = Object.keys(configSchema.shape).filter((name) => !prose.includes(`\`${name}\``));
  t.deepEqual(undescribed, [], 'these settings have no description in docs/configuration.md');
});

test('the generator sees a changed default: the table is rebuilt from the schema, not copied', (t) => {
  const table = configReference();
  t.regex(table, /\| `SLIPWAY_PORT` \| integer ≥ 0, ≤ 65535 \| `8080` \|/);
  t.regex(table, /\| `SLIPWAY_RUNTIME` \| one of `none`, `local`, `kubernetes` \| `local` \|/);
  const { begin, end } = markers('X');
  t.is(replaceSection(`a\n${begin}\nold\n${end}\nb`, 'X', 'new'), `a\n${begin}\nnew\n${end}\nb`);
  t.throws(() => replaceSection('no markers', 'X', 'new'), { message: /markers/ });
});
