/**
 * Python and Go Procfile apps built with the machine's own toolchain (Debian's
 * python3-venv and golang-go; .ci/run installs them), then started as the run half
 * would start them. PyPI is not reachable: the Python app installs a local wheel.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { isSlipwayError } from '../../../core/errors.ts';
import { buildRelease, type ReleasePlan } from '../../../controller/adapters/local/build/build-release.ts';
import { removeTrees, writeTree, type Tree } from '../../unit/controller/adapters/local/build/write-tree.ts';
import { eventually } from './process-group.ts';

test.after.always(removeTrees);

const nodeBinDir = dirname(process.execPath);
const basePath = process.env.PATH ?? '';
const has = (command: string) => {
  try {
    execFileSync('/bin/sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const python = has('python3') ? test : test.skip;
const go = has('go') ? test : test.skip;

async function stage(tree: Tree, env: Record<string, string> = {}, path = basePath) {
  const dir = await writeTree(tree);
  const plan = await buildRelease({ dir, env, log: () => {}, nodeBinDir, basePath: path, timeoutMs: 120_000 });
  return { dir, plan };
}

/** Starts the plan as the run half would and returns the body of GET /. */
async function answer(t: ExecutionContext, dir: string, plan: ReleasePlan): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  const child = spawn(plan.command![0]!, plan.command!.slice(1), {
    cwd: dir, env: { PATH: basePath, ...plan.env, PORT: String(port) }, stdio: 'ignore', detached: true,
  });
  t.teardown(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let body = '';
  await eventually(async () => {
    try {
      body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      return true;
    } catch {
      return false; // not listening yet
    }
  }, 20_000);
  return body;
}

// A wheel of a package whose console script serves HTTP, as gunicorn's does.
const SERVER_PY = 'import http.server, os\n' +
  'class H(http.server.BaseHTTPRequestHandler):\n' +
  '    def do_GET(self):\n' +
  '        self.send_response(200); self.end_headers(); self.wfile.write(b"hello from python")\n' +
  'def main():\n' +
  '    http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()\n';
const MAKE_WHEEL = `
import zipfile, sys
files = {
  "hellosrv/__init__.py": ${JSON.stringify(SERVER_PY)},
  "hellosrv-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: hellosrv\\nVersion: 1.0\\n",
  "hellosrv-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
  "hellosrv-1.0.dist-info/entry_points.txt": "[console_scripts]\\nhello-server = hellosrv:main\\n",
}
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items(): z.writestr(name, text)
    z.writestr("hellosrv-1.0.dist-info/RECORD", "".join(f"{n},,\\n" for n in files) + "hellosrv-1.0.dist-info/RECORD,,\\n")
`;

python('a Python Procfile app gets a venv with its requirements, and its web command is found on PATH', async (t) => {
  const dir = await writeTree({ Procfile: 'web: hello-server\n', 'requirements.txt': '--no-index\n--find-links wheels\nhellosrv==1.0\n' });
  await mkdir(join(dir, 'wheels'));
  execFileSync('python3', ['-c', MAKE_WHEEL, join(dir, 'wheels', 'hellosrv-1.0-py3-none-any.whl')], { env: { ...process.env }, stdio: 'inherit', cwd: dir });
  const lines: string[] = [];
  const plan = await buildRelease({ dir, env: {}, log: (line) => lines.push(line.text), nodeBinDir, basePath, timeoutMs: 120_000 });
  t.is(plan.description, 'Python app, Procfile web process (venv, pip install -r requirements.txt), starts with: hello-server');
  t.is(plan.env.VIRTUAL_ENV, join(dir, '.venv'));
  t.true(plan.env.PATH!.startsWith(`${join(dir, '.venv', 'bin')}:`));
  t.true(lines.some((line) => /Successfully installed hellosrv-1\.0/.test(line)), lines.join('\n'));
  t.is(await answer(t, dir, plan), 'hello from python');
});

python('a Python app with an empty requirements.txt runs python from its venv', async (t) => {
  const { dir, plan } = await stage({ Procfile: 'web: python app.py\n', 'requirements.txt': '# nothing yet\n', 'app.py': SERVER_PY + 'main()\n' });
  await access(join(dir, '.venv', 'bin', 'python'));
  t.is(await answer(t, dir, plan), 'hello from python');
});

go('a Go app without a Procfile is built into bin/ and runs the module\'s binary', async (t) => {
  const { dir, plan } = await stage({
    'go.mod': 'module example.com/hello\n\ngo 1.19\n',
    'main.go': 'package main\n\nimport (\n\t"fmt"\n\t"net/http"\n\t"os"\n)\n\nfunc main() {\n' +
      '\thttp.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello from go") })\n' +
      '\thttp.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)\n}\n',
  });
  t.is(plan.description, 'Go app (go build), starts with: bin/hello');
  t.is(await answer(t, dir, plan), 'hello from go');
});

go('a Go Procfile app names its binary, found on PATH', async (t) => {
  const { plan } = await stage({
    Procfile: 'web: api --port $PORT\n',
    'go.mod': 'module example.com/shop\n\ngo 1.19\n',
    'cmd/api/main.go': 'package main\n\nfunc main() {}\n',
    'internal/x/x.go': 'package x\n',
  });
  t.is(plan.description, 'Go app, Procfile web process (go build), starts with: api --port $PORT');
  t.regex(plan.env.PATH!, /\/bin:/);
});

const missing = test.macro({
  async exec(t, tree: Tree, message: RegExp) {
    // Only the server's node folder and an empty folder on PATH: no python3, no go.
    const error = await t.throwsAsync(stage(tree, {}, '/nonexistent'));
    t.true(isSlipwayError(error, 'stage_failed'), String(error));
    t.regex(error.message, message);
  },
  title: (title = '') => `staging fails at once when ${title}`,
});
test('python3 is missing', missing, { Procfile: 'web: gunicorn app:app\n', 'requirements.txt': 'gunicorn\n' },
  /^requirements\.txt makes this a Python app, but python3 is not installed on the Slipway server; install Python 3 and its venv module on the server \(Debian: apt-get install python3 python3-venv\)$/);
test('go is missing', missing, { Procfile: 'web: bin/app\n', 'go.mod': 'module app\n' },
  /^go\.mod makes this a Go app, but go is not installed on the Slipway server; install Go on the server \(Debian: apt-get install golang-go/);
