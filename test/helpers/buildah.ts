/**
 * Builds and runs Slipway's image without Docker: Debian's `buildah` (as root, chroot
 * isolation, vfs storage, the same options as .ci/image-base.sh) and a real registry
 * (`docker-registry`, CNCF distribution) on a free loopback port. With chroot
 * isolation a container shares the host's network: a server it starts on a port is
 * reachable on 127.0.0.1, and it reaches servers the test starts there.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './temp-dir.ts';

/** The Debian packages the image tests need, and the command that installs them. */
export const imageTools = ['buildah', 'skopeo', 'docker-registry', 'debootstrap'] as const;
export const imageToolsInstall = `apt-get install -y ${imageTools.join(' ')}`;

/** The tools of `imageTools` that are not on PATH. */
export async function missingImageTools(): Promise<string[]> {
  const dirs = (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/usr/bin');
  const found = async (name: string) => {
    for (const dir of dirs) {
      try { await access(join(dir, name)); return true; } catch { /* next folder */ }
    }
    return false;
  };
  const missing: string[] = [];
  for (const name of imageTools) if (!(await found(name))) missing.push(name);
  return missing;
}

/** What a finished command printed. */
export interface Ran { stdout: string; stderr: string }

/** Runs `file args`; rejects with the exit code and the end of stderr when it fails. */
export function run(file: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd, timeout: options.timeoutMs ?? 10 * 60_000, maxBuffer: 64 * 2 ** 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Runs `buildah --storage-driver vfs args`. */
export function buildah(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return run('buildah', ['--storage-driver', 'vfs', ...args], options);
}

/**
 * Runs `command` in working container `container` as the image's user, with `env`.
 * Resolves with what it printed and its exit code (a non-zero code is not an error).
 */
export function buildahRun(container: string, command: string[], env: Record<string, string> = {}): Promise<Ran & { code: number }> {
  const envArgs = Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
  return new Promise((resolve, reject) => {
    execFile('buildah', ['--storage-driver', 'vfs', 'run', '--isolation', 'chroot', ...envArgs, container, '--', ...command],
      { timeout: 120_000, maxBuffer: 16 * 2 ** 20 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
      });
  });
}

/** A port nobody listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A running registry at `address` (host:port, plain HTTP); `close` stops it and removes its data. */
export interface LocalRegistry { address: string; close(): Promise<void> }

/** Starts `docker-registry` with its own config and storage folder; resolves once /v2/ answers 200. */
export async function startRegistry(): Promise<LocalRegistry> {
  const { dir, cleanup } = await makeTempDir('slipway-registry-');
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(config, [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`,
    'http:', `  addr: 127.0.0.1:${port}`, '',
  ].join('\n'));
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => { child.once('exit', () => resolve()); });
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited; }
    await cleanup();
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/v2/`)).status === 200) return { address: `127.0.0.1:${port}`, close };
    } catch { /* not listening yet */ }
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`docker-registry did not answer on 127.0.0.1:${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
