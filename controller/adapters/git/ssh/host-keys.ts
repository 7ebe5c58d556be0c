/**
 * Strict host key checking for git over SSH (issue 17): the key a server presents
 * must be one the key store trusts for that host and port. Nothing is trusted on
 * first use; an unknown key and a changed key are different errors, both naming
 * SHA256 fingerprints as `ssh-keygen -lf` prints them.
 */
import { createHash } from 'node:crypto';
import { gitHostKeyMismatch, gitHostKeyUnknown } from '../../../../core/error-cases.ts';
import type { KnownHost } from '../../../../core/ports/git-keys.ts';

/** `SHA256:<base64 without padding>` of an SSH public key blob (the wire format). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** `host`, or `[host]:port` off port 22: how known_hosts and `slipway git-keys trust` name it. */
export function hostLabel(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The blob of a `type base64` key line; undefined when it is not one. */
function blobOf(line: string): Buffer | undefined {
  const base64 = line.trim().split(/\s+/)[1];
  return base64 && /^[A-Za-z0-9+/]+=*$/.test(base64) ? Buffer.from(base64, 'base64') : undefined;
}

/** Undefined when `presented` is trusted; else the error to fail the connection with. */
export function checkHostKey(presented: Buffer, trusted: KnownHost[], host: string, port: number): Error | undefined {
  if (trusted.some((known) => blobOf(known.key)?.equals(presented))) return undefined;
  const label = hostLabel(host, port);
  if (trusted.length === 0) return gitHostKeyUnknown(label, fingerprintOf(presented));
  return gitHostKeyMismatch(label, trusted.map((known) => known.fingerprint || fingerprintOf(blobOf(known.key) ?? Buffer.alloc(0))), fingerprintOf(presented));
}

/**
 * Host key algorithms to ask for first: those of the trusted keys. A server with
 * several host keys shows the one the client prefers; without this, a host trusted
 * by its RSA key would show its ed25519 key and look changed.
 */
export function preferredHostKeyAlgorithms(trusted: KnownHost[]): string[] {
  const algorithms = new Set<string>();
  for (const known of trusted) {
    const type = known.key.trim().split(/\s+/)[0] ?? '';
    if (type === 'ssh-rsa') ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((a) => algorithms.add(a));
    else if (/^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521))$/.test(type)) algorithms.add(type);
  }
  return [...algorithms];
}
