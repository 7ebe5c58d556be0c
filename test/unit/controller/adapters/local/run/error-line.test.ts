import test from 'ava';
import { isErrorLine } from '../../../../../../controller/adapters/local/run/error-line.ts';

const errors = [
  'Error: boom: DATABASE_URL is not set',
  'TypeError [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type string',
  'Uncaught Error: x',
  'Traceback (most recent call last):',
  "KeyError: 'DATABASE_URL'",
  'ModuleNotFoundError: No module named flask',
  'panic: runtime error: invalid memory address',
  'java.lang.IllegalStateException: no config',
  'ERROR: could not connect to the database',
  'sh: 1: gunicorn: not found',
];
const others = [
  '    at wrapModuleLoad (node:internal/modules/cjs/loader:235:24)',
  'Node.js v24.3.0',
  "throw new Error('boom')",
  '          ^',
  'errors are fine',
  'app listening on 3000',
  'Errors: 0',
];

for (const line of errors) test(`an error line: ${line}`, (t) => t.true(isErrorLine(line)));
for (const line of others) test(`not an error line: ${line}`, (t) => t.false(isErrorLine(line)));
