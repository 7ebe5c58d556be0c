/**
 * A real OpenSSH server (Debian's openssh-server, /usr/sbin/sshd) for git over SSH
 * tests: started in the foreground on a free 127.0.0.1 port with its own ed25519 host
 * key, public-key login only, as the current user (root in CI) with its normal shell,
 * so `git-upload-pack '<path>'` serves any bare repository by absolute path. With
 * `protocolV2: false` sshd drops the client's GIT_PROTOCOL (no AcceptEnv), as stock
 * OpenSSH does, and git answers protocol v0.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian installs sshd; tests skip without it. */
export const SSHD = '/usr/sbin/sshd';

/** Options for {@link startSshGitServer}. */
export interface SshGitServerOptions {
  /** Pass GIT_PROTOCOL through (`AcceptEnv GIT_PROTOCOL`), so git answers protocol v2 (default true). */
  protocolV2?: boolean;
  /** OpenSSH public key lines that may log in. */
  authorizedKeys: string[];
}

/** A running sshd. */
export interface SshGitServer {
  port: number;
  user: string;
  /** The host key as `ssh-ed25519 AAAA…` (type and base64). */
  hostKey: string;
  /** Replaces the authorised keys (read by sshd at each login). */
  authorize(keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts sshd and waits until it greets with its SSH banner. */
export async function startSshGitServer(options: SshGitServerOptions): Promise<SshGitServer> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-sshd-'));
  // sshd wants its privilege separation folder even when it never forks an unprivileged child for us.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostKeyPath = join(dir, 'host_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'slipway-test-host', '-f', hostKeyPath]);
  const hostKey = (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const authorizedKeys = join(dir, 'authorized_keys');
  const authorize = (keys: string[]) => writeFile(authorizedKeys, keys.map((k) => `${k}\n`).join(''), { mode: 0o600 });
  await authorize(options.authorizedKeys);
  const port = await freePort();
  const config = [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKeyPath}`, `AuthorizedKeysFile ${authorizedKeys}`,
    'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password', 'PidFile none', 'LogLevel ERROR', 'MaxStartups 100', 'MaxSessions 50',
    // No reverse lookups of the client, and no Kerberos: both only slow every connection down.
    'UseDNS no', 'GSSAPIAuthentication no',
    ...(options.protocolV2 === false ? [] : ['AcceptEnv GIT_PROTOCOL']),
  ];
  const configPath = join(dir, 'sshd_config');
  await writeFile(configPath, `${config.join('\n')}\n`);
  const child = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => { log = (log + chunk.toString()).slice(-4000); });
  try {
    await waitForBanner(port, child, () => log);
  } catch (error) {
    child.kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port, user: userInfo().username, hostKey, authorize,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls (with a deadline) until sshd sends `SSH-2.0-…`. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (chunk) => { socket.destroy(); resolve(chunk.toString().startsWith('SSH-')); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not start: ${log()}`);
}
