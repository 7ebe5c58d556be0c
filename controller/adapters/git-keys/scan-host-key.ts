/**
 * Asks an SSH server for its host key, the way `ssh-keyscan` does: connect, take the key
 * the server offers during the handshake, and hang up before authenticating. The host goes
 * through the same address guard as git (SLIPWAY_GIT_ALLOWED_HOSTS), so the API cannot be
 * used to probe private addresses. The answer is shown to a person to confirm; nothing is
 * trusted here.
 */
import { loadSsh2 } from './load-ssh2.ts';
import { SlipwayError } from '../../../core/errors.ts';
import type { AddressGuard } from '../git/address-guard.ts';
import { fingerprintOf, publicLine } from './ssh-key-material.ts';

/** What the server offered. */
export interface ScannedHostKey {
  /** `type base64`, as a known_hosts line has it after the host. */
  key: string;
  fingerprint: string;
}

/** Options of {@link createHostKeyScanner}. */
export interface HostKeyScannerOptions {
  guard: AddressGuard;
  timeoutMs: number;
}

/** Reads the key type out of an SSH public key blob (its first wire string). */
const blobType = (blob: Buffer) => blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1');

/** Creates `scan(host, port)`. */
export function createHostKeyScanner({ guard, timeoutMs }: HostKeyScannerOptions) {
  return async function scanHostKey(host: string, port: number): Promise<ScannedHostKey> {
    const [first] = await guard.resolve(host);
    if (!first) throw unreachable(host, port, 'the name does not resolve');
    const blob = await new Promise<Buffer>((resolve, reject) => {
      const client = new (loadSsh2().Client)();
      let offered: Buffer | undefined;
      const timer = setTimeout(() => {
        client.end();
        reject(unreachable(host, port, `no SSH handshake within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        client.end();
        if (offered) resolve(offered);
      };
      client.on('error', (error: Error & { level?: string }) => {
        done();
        // Refusing the key in the verifier ends the handshake with an error: the key is what we came for.
        if (!offered) reject(unreachable(host, port, error.level === 'client-socket' ? 'connection failed' : 'the SSH handshake failed'));
      });
      client.on('ready', done);
      client.on('close', () => {
        done();
        reject(unreachable(host, port, 'the server closed the connection before offering a host key'));
      });
      client.connect({
        host: first.address, port, username: 'git', readyTimeout: timeoutMs,
        // No authentication: the verifier runs before it, and refusing ends the connection.
        hostVerifier: (key: Buffer) => {
          offered = Buffer.from(key);
          return false;
        },
      });
    });
    return { key: publicLine(blobType(blob), blob), fingerprint: fingerprintOf(blob) };
  };
}

/** The type of the scanner. */
export type HostKeyScanner = ReturnType<typeof createHostKeyScanner>;

const unreachable = (host: string, port: number, reason: string) =>
  new SlipwayError('git_unreachable', `cannot read the host key of ${host}:${port}: ${reason}`, { status: 424, expose: true, retry: 'waiting', data: { host, port } });
