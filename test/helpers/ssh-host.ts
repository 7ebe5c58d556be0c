/**
 * A real OpenSSH server (Debian's `sshd`) on a free loopback port with a fresh host key
 * of its own, for tests that read or check host keys. It authenticates nobody: tests of
 * the git transport bring their own authorised keys.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir } from './temp-dir.ts';

const run = promisify(execFile);

/** A running sshd. */
export interface SshHost {
  port: number;
  /** Its host key as `type base64`. */
  hostKey: string;
  /** `SHA256:…` of the host key, from `ssh-keygen -lf`. */
  fingerprint: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

const accepts = (port: number) => new Promise<boolean>((done) => {
  const socket = connect(port, '127.0.0.1');
  socket.once('data', () => { socket.destroy(); done(true); });
  socket.once('error', () => done(false));
});

/** Starts sshd with an ed25519 host key; resolves once it sends its banner. */
export async function startSshHost(): Promise<SshHost> {
  const temp = await makeTempDir('slipway-sshd-');
  await mkdir('/run/sshd', { recursive: true });
  const key = join(temp.dir, 'host_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  const port = await freePort();
  const config = join(temp.dir, 'sshd_config');
  await writeFile(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${key}`, `PidFile ${join(temp.dir, 'sshd.pid')}`,
    'UsePAM no', 'StrictModes no', `AuthorizedKeysFile ${join(temp.dir, 'authorized_keys')}`, 'PasswordAuthentication no', '',
  ].join('\n'));
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start on port ${port}`);
    await sleep(50);
  }
  const pub = (await readFile(`${key}.pub`, 'utf8')).trim().split(' ');
  const fingerprint = (await run('ssh-keygen', ['-lf', `${key}.pub`])).stdout.split(' ')[1]!;
  return {
    port, hostKey: `${pub[0]} ${pub[1]}`, fingerprint,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      await temp.cleanup();
    },
  };
}
