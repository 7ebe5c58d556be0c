/**
 * Opens one authenticated SSH connection to a git host (issue 17), on the ssh2
 * library — no `ssh` binary. The host is resolved through the address guard and the
 * socket connects to a checked address (then the peer address is checked again), as
 * for HTTPS; the host key is verified strictly (host-keys.ts); each deploy key that
 * applies to the host is offered in turn. Private keys go to ssh2 only: no message
 * or log line holds one, only fingerprints.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Client } from 'ssh2';
import { loadSsh2 } from '../../git-keys/load-ssh2.ts';
import { gitDeployKeyRefused, gitUnreachable } from '../../../../core/error-cases.ts';
import { isSlipwayError } from '../../../../core/errors.ts';
import type { GitKeyStore } from '../../../../core/ports/git-keys.ts';
import type { Logger } from '../../../../core/ports/logger.ts';
import type { AddressGuard } from '../address-guard.ts';
import { checkHostKey, hostLabel, preferredHostKeyAlgorithms } from './host-keys.ts';

/** Options for {@link connectSsh}. */
export interface SshConnectOptions {
  host: string;
  port: number;
  user: string;
  guard: AddressGuard;
  keys: GitKeyStore;
  /** The operation's deadline and the caller's abort: the connection is destroyed when it fires. */
  signal: AbortSignal;
  abortError: () => Error;
  /** The repository address, for messages. */
  display: string;
  logger?: Logger;
}

/** Connects and authenticates; rejects with a Slipway git error. */
export async function connectSsh(options: SshConnectOptions): Promise<Client> {
  const { host, port, display } = options;
  const addresses = await options.guard.resolve(host).catch((error: unknown) => {
    // A name that does not resolve (ENOTFOUND, EAI_AGAIN) is said as HTTPS says it, not as a corrupt transfer.
    if (isSlipwayError(error)) throw error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    throw gitUnreachable(display, `connection failed${code ? ` (${code})` : ''}`);
  });
  const [trusted, identities] = await Promise.all([options.keys.knownHosts(host, port), options.keys.privateKeysFor(host, port)]);
  const sock = await connectSocket(options, addresses.map((a) => a.address));
  const client = new (loadSsh2().Client)();
  const offered = [...identities];
  const fingerprints = identities.map((identity) => identity.key.fingerprint);
  let failure: Error | undefined;
  let settled = false;

  return new Promise<Client>((resolve, reject) => {
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      if (!error) return resolve(client);
      client.end();
      sock.destroy();
      reject(error);
    };
    const onAbort = () => finish(options.abortError());
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    client.on('ready', () => finish());
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      if (options.signal.aborted) return finish(options.abortError());
      if (failure) return finish(failure);
      if (error.level === 'client-authentication') return finish(gitDeployKeyRefused(display, hostLabel(host, port), fingerprints));
      finish(gitUnreachable(display, `the SSH connection failed${error.code ? ` (${error.code})` : error.level ? ` (${error.level})` : ''}`));
    });
    client.on('close', () => finish(failure ?? gitUnreachable(display, 'the SSH server closed the connection')));
    const preferred = preferredHostKeyAlgorithms(trusted);
    client.connect({
      sock,
      username: options.user,
      // The operation's deadline bounds the handshake; ssh2's own default (20 s) would cut a slow one short.
      readyTimeout: 2 ** 31 - 1,
      ...(preferred.length > 0 ? { algorithms: { serverHostKey: { prepend: preferred } as never } } : {}),
      hostVerifier: (key: Buffer) => {
        failure = checkHostKey(key, trusted, host, port);
        return failure === undefined;
      },
      authHandler: (_methodsLeft, _partialSuccess, next) => {
        const identity = offered.shift();
        if (!identity) return next(false as never);
        options.logger?.debug({ host: hostLabel(host, port), fingerprint: identity.key.fingerprint }, 'offering git deploy key');
        next({ type: 'publickey', username: options.user, key: identity.privateKey } as never);
      },
    });
  });
}

/** Connects to the first address that answers; every address was checked by the guard, and the peer is checked again. */
async function connectSocket(options: SshConnectOptions, addresses: string[]): Promise<Socket> {
  let lastCode: string | undefined;
  for (const address of addresses) {
    if (options.signal.aborted) throw options.abortError();
    try {
      // The operation's deadline bounds the connect only: a pooled connection outlives the
      // operation that opened it (ssh-pool.ts), so the socket itself takes no signal.
      const socket = await new Promise<Socket>((resolve, reject) => {
        const socket = netConnect({ host: address, port: options.port });
        const onAbort = () => socket.destroy(options.abortError());
        options.signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => { options.signal.removeEventListener('abort', onAbort); resolve(socket); });
        socket.once('error', (error) => { options.signal.removeEventListener('abort', onAbort); reject(error); });
      });
      options.guard.check(options.host, socket.remoteAddress ?? '');
      return socket;
    } catch (error) {
      if (options.signal.aborted) throw options.abortError();
      if (isSlipwayError(error)) throw error;
      lastCode = (error as NodeJS.ErrnoException).code;
    }
  }
  throw gitUnreachable(options.display, `connection failed${lastCode ? ` (${lastCode})` : ''}`);
}
