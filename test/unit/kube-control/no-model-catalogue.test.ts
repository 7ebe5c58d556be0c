import test from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The Kubernetes adapters the server loads, but for the state store (state/) and the controller loop. */
const ADAPTERS = [
  'controller/adapters/kube/runtime/create-kube-runtime.ts',
  'controller/adapters/kube/events/app-events.ts',
  'controller/adapters/kube/startup/check-prerequisites.ts',
  'controller/adapters/kube/secrets/sync-secrets.ts',
  'controller/adapters/kube/control/watch-resource.ts',
  'controller/adapters/kube/control/lease-elector.ts',
  'controller/adapters/kube/control/lease-status.ts',
  'controller/adapters/kube/domain/derived-system-domain.ts',
  'controller/adapters/kube/share-connections.ts',
  'controller/adapters/kube/slim-kube-config.ts',
];

/** Imports `files` in a fresh process and lists the client-node modules it resolved. */
function clientNodeModules(files: string[]): Promise<string[]> {
  const program = `
import { registerHooks } from 'node:module';
const seen = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); if (r.url.includes('/@kubernetes/client-node/')) seen.push(r.url.replace(/^.*\\/@kubernetes\\/client-node\\//, '')); return r; } });
for (const file of ${JSON.stringify(files)}) await import('./' + file);
console.log(JSON.stringify(seen));
`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', program], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as string[]) : reject(new Error(`exit ${code}: ${err.slice(0, 2000)}`))));
  });
}

test('the Kubernetes adapters load client-node\'s request layer and Watch, not its index or generated APIs and models', async (t) => {
  const loaded = await clientNodeModules(ADAPTERS);
  t.true(loaded.includes('dist/watch.js'), loaded.join(' '));
  t.deepEqual(loaded.filter((path) => path === 'dist/index.js' || path.startsWith('dist/gen/models/') || path.startsWith('dist/gen/types/') || path === 'dist/gen/index.js'), []);
});
