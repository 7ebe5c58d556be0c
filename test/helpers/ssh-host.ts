/**
 * A real OpenSSH server for tests that read or check host keys: the git server of
 * ssh-git-server.ts with nobody authorised, plus its host key's fingerprint as
 * `ssh-keygen -lf` prints it (what users compare).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshGitServer, type SshGitServer } from './ssh-git-server.ts';

const run = promisify(execFile);

/** A running sshd and its host key's fingerprint. */
export interface SshHost extends SshGitServer {
  /** `SHA256:…` of the host key, from `ssh-keygen -lf`. */
  fingerprint: string;
}

/** Starts sshd with an ed25519 host key and nobody authorised. */
export async function startSshHost(): Promise<SshHost> {
  const server = await startSshGitServer({ authorizedKeys: [] });
  const dir = await mkdtemp(join(tmpdir(), 'slipway-sshhost-'));
  try {
    await writeFile(join(dir, 'key.pub'), `${server.hostKey}\n`);
    const { stdout } = await run('ssh-keygen', ['-lf', join(dir, 'key.pub')]);
    return { ...server, fingerprint: stdout.split(/\s+/)[1]! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
