/**
 * Builders for git repositories in tests: bare repositories to serve with
 * ./git-server.ts, and work repositories that write files (regular, executable,
 * symlinks, nested), commit, tag, branch and `git push` over HTTP with the real git
 * CLI. Git runs with GIT_CONFIG_NOSYSTEM and a temporary HOME, so the user's or the
 * machine's git configuration never leaks into a test.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Environment for every git command of the helpers: no system or user config. */
export function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Slipway Test',
    GIT_AUTHOR_EMAIL: 'test@slipway.invalid',
    GIT_COMMITTER_NAME: 'Slipway Test',
    GIT_COMMITTER_EMAIL: 'test@slipway.invalid',
    LANG: 'C',
  };
}

/** Runs git in `cwd` with {@link gitEnv} and returns stdout (as a Buffer when `binary`). */
export async function git(cwd: string, args: string[], home: string): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: gitEnv(home), maxBuffer: 1 << 30 });
  return stdout.trimEnd();
}

/** Runs git and returns its raw stdout bytes (e.g. `git archive`). */
export async function gitBytes(cwd: string, args: string[], home: string): Promise<Buffer> {
  const { stdout } = await run('git', args, { cwd, env: gitEnv(home), encoding: 'buffer', maxBuffer: 1 << 30 });
  return stdout;
}

/** Creates `<root>/<name>.git` as a bare repository whose default branch is `main`. */
export async function createBareRepo(root: string, name: string): Promise<string> {
  const path = join(root, `${name}.git`);
  await mkdir(path, { recursive: true });
  await run('git', ['init', '--quiet', '--bare', '-b', 'main', path], { env: gitEnv(root) });
  return path;
}

/** What {@link WorkRepo.write} can put at a path. */
export type FileSpec =
  | string
  | Buffer
  | { content: string | Buffer; executable?: boolean }
  | { symlink: string };

/** A non-bare repository in a temporary folder, with builder methods. */
export interface WorkRepo {
  /** The work tree. */
  dir: string;
  /** The temporary HOME used for git. */
  home: string;
  /** Writes files (creating folders) relative to the work tree; does not stage them. */
  write(files: Record<string, FileSpec>): Promise<void>;
  /** Removes a path from the work tree. */
  remove(path: string): Promise<void>;
  /** Stages everything and commits; returns the new commit's full SHA. */
  commit(message: string): Promise<string>;
  /** Tags HEAD: lightweight by default, annotated with `{ annotated: true }`. */
  tag(name: string, options?: { annotated?: boolean }): Promise<void>;
  /** Creates a branch at HEAD and checks it out (`git switch -c`). */
  branch(name: string): Promise<void>;
  /** Checks out an existing branch. */
  checkout(name: string): Promise<void>;
  /** Pushes refspecs (default: all branches and tags) to a remote URL. */
  push(remoteUrl: string, refspecs?: string[]): Promise<void>;
  /** Runs any git command in the work tree. */
  git(...args: string[]): Promise<string>;
  /** Removes the temporary folders. */
  cleanup(): Promise<void>;
}

/** Creates an empty work repository on branch `main` in a fresh temporary folder. */
export async function createWorkRepo(): Promise<WorkRepo> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-git-home-'));
  const dir = await mkdtemp(join(tmpdir(), 'slipway-git-work-'));
  const g = (...args: string[]) => git(dir, args, home);
  await g('init', '--quiet', '-b', 'main');
  await g('config', 'core.autocrlf', 'false');
  await g('config', 'core.symlinks', 'true');
  return {
    dir,
    home,
    git: g,
    async write(files) {
      for (const [path, spec] of Object.entries(files)) {
        const target = join(dir, path);
        await mkdir(dirname(target), { recursive: true });
        await rm(target, { force: true, recursive: true });
        if (typeof spec === 'string' || Buffer.isBuffer(spec)) {
          await writeFile(target, spec);
        } else if ('symlink' in spec) {
          await symlink(spec.symlink, target);
        } else {
          await writeFile(target, spec.content);
          await chmod(target, spec.executable ? 0o755 : 0o644);
        }
      }
    },
    async remove(path) {
      await rm(join(dir, path), { recursive: true, force: true });
    },
    async commit(message) {
      await g('add', '--all');
      await g('commit', '--quiet', '--allow-empty', '-m', message);
      return g('rev-parse', 'HEAD');
    },
    async tag(name, options = {}) {
      if (options.annotated) await g('tag', '-a', name, '-m', `tag ${name}`);
      else await g('tag', name);
    },
    async branch(name) {
      await g('switch', '--quiet', '-c', name);
    },
    async checkout(name) {
      await g('switch', '--quiet', name);
    },
    async push(remoteUrl, refspecs = ['--all']) {
      await g('push', '--quiet', remoteUrl, ...refspecs);
      if (refspecs.length === 1 && refspecs[0] === '--all') await g('push', '--quiet', '--tags', remoteUrl);
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** One archive entry, normalised for comparing archives made by different tools. */
export interface ArchiveEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Files only: whether any execute bit is set. */
  executable?: boolean;
  /** Symlinks only. */
  target?: string;
  /** Files only: SHA-256 of the content. */
  sha256?: string;
}

/**
 * Lists the entries of a tar or tar.gz (gzip detected by its magic bytes), sorted by
 * path, folders without a trailing slash; pax headers and other entry types are
 * skipped. Compare `git archive <sha>` with an archive under test this way.
 */
export async function archiveEntries(archive: Buffer): Promise<ArchiveEntry[]> {
  const tar = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const extract = tarStream.extract();
  const entries: ArchiveEntry[] = [];
  Readable.from([tar]).pipe(extract);
  for await (const entry of extract) {
    const { name, type, mode = 0, linkname } = entry.header;
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const path = name.replace(/\/$/, '');
    if (type === 'file') {
      entries.push({ path, type, executable: (mode & 0o111) !== 0, sha256: createHash('sha256').update(Buffer.concat(chunks)).digest('hex') });
    } else if (type === 'directory') {
      entries.push({ path, type });
    } else if (type === 'symlink') {
      entries.push({ path, type, target: linkname ?? '' });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
