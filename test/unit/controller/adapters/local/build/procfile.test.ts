import test from 'ava';
import { parseProcfile } from '../../../../../../controller/adapters/local/build/procfile.ts';

const parses = test.macro({
  exec(t, text: string, expected: Record<string, string>) {
    t.deepEqual(Object.fromEntries(parseProcfile(text)), expected);
  },
  title: (title = '') => `parses ${title}`,
});

test('types and commands', parses, 'web: node a.js\nworker:  node w.js --queue=x  \n', { web: 'node a.js', worker: 'node w.js --queue=x' });
test('a command containing colons', parses, 'web: bin/serve --listen 0.0.0.0:$PORT', { web: 'bin/serve --listen 0.0.0.0:$PORT' });
test('around comments, blank lines, a BOM and junk lines', parses, '\uFEFF# web: no\n\nnot a process line\nweb:node a.js\r\n', { web: 'node a.js' });
test('a repeated type as its last line', parses, 'web: one\nweb: two\n', { web: 'two' });
test('an empty command as absent', parses, 'web:\nrelease: ./migrate\n', { release: './migrate' });
