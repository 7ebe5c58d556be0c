import test from 'ava';
import { shellCommand } from '../../../../../../controller/adapters/local/build/shell-command.ts';

const runs = test.macro({
  exec(t, script: string, expected: string) {
    t.deepEqual(shellCommand(script), ['/bin/sh', '-c', expected]);
  },
  title: (_title, script: string, expected: string) => `${JSON.stringify(script)} runs as ${JSON.stringify(expected)}`,
});

// A simple command replaces the shell, so SIGTERM reaches the app itself.
test(runs, 'node server.js', 'exec node server.js');
test(runs, '  node --max-old-space-size=256 dist/main.js ', 'exec node --max-old-space-size=256 dist/main.js');
test(runs, 'bin/server -p 5000', 'exec bin/server -p 5000');
// Anything with shell meaning runs as written.
test(runs, 'npm run migrate && node server.js', 'npm run migrate && node server.js');
test(runs, 'node server.js --port $PORT', 'node server.js --port $PORT');
test(runs, 'PORT=3000 node server.js', 'PORT=3000 node server.js');
test(runs, 'node -e "console.log(1)"', 'node -e "console.log(1)"');
test(runs, 'node a.js | tee log', 'node a.js | tee log');
