/**
 * `slipway git-keys …`: deploy keys for private repositories over SSH, and the host keys
 * Slipway trusts (issue 17). A host key is trusted only after a person compared its
 * fingerprint (asked on a terminal, or `--yes`) or gave the key itself (`--key`).
 */
import { readFile } from 'node:fs/promises';
import type { GitKey, KnownHost } from '../../core/ports/git-keys.ts';
import type { ApiClient, ScannedHost } from '../api-client.ts';
import { CliError, usageError } from '../cli-error.ts';

/** What the git-keys commands need. */
export interface GitKeysDeps {
  api: ApiClient;
  /** Asks a yes/no question on the terminal; absent when stdin is not one. */
  confirm?: (question: string) => Promise<boolean>;
  /** Notes for people (stderr). */
  note?: (text: string) => void;
  readFile?: (path: string) => Promise<string>;
}

/** `slipway git-keys add HOST [--name N] [--generate | --private-key FILE]`. */
export async function gitKeysAdd(options: { host: string; name?: string; generate?: boolean; privateKey?: string }, deps: GitKeysDeps): Promise<GitKey> {
  if (options.generate && options.privateKey !== undefined) throw usageError('--generate and --private-key exclude each other', 'leave both out to generate a key');
  let privateKey: string | undefined;
  if (options.privateKey !== undefined) {
    try {
      privateKey = await (deps.readFile ?? ((path) => readFile(path, 'utf8')))(options.privateKey);
    } catch (error) {
      throw usageError(`cannot read ${options.privateKey}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, 'give the path of the private key file, e.g. ~/.ssh/id_ed25519');
    }
  }
  return deps.api.addGitKey({ host: options.host, ...(options.name ? { name: options.name } : {}), ...(privateKey === undefined ? {} : { privateKey }) });
}

/** `slipway git-keys list`. */
export function gitKeysList(_options: object, deps: GitKeysDeps): Promise<GitKey[]> {
  return deps.api.listGitKeys();
}

/** `slipway git-keys remove NAME`. */
export function gitKeysRemove(options: { name: string }, deps: GitKeysDeps): Promise<{ deleted: string }> {
  return deps.api.removeGitKey(options.name);
}

/** `slipway git-keys hosts`. */
export function gitKeysHosts(_options: object, deps: GitKeysDeps): Promise<KnownHost[]> {
  return deps.api.listKnownHosts();
}

/** What `git-keys trust` did. */
export type TrustResult = { trusted: KnownHost; already?: false } | { already: true; scanned: ScannedHost };

/** Splits `HOST`, `HOST:PORT` or `[HOST]:PORT`. */
function hostAndPort(raw: string, port?: number): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(raw);
  if (bracketed) return { host: bracketed[1]!, port: port ?? Number(bracketed[2]) };
  const plain = /^([^:[\]]+):(\d+)$/.exec(raw);
  if (plain) return { host: plain[1]!, port: port ?? Number(plain[2]) };
  return { host: raw, ...(port === undefined ? {} : { port }) };
}

/**
 * `slipway git-keys trust HOST [--key LINE] [--yes]`. Without `--key`, the server reads
 * the key the host offers; it is trusted only after a "yes" on the terminal or `--yes`.
 */
export async function gitKeysTrust(options: { host: string; port?: number; key?: string; yes?: boolean }, deps: GitKeysDeps): Promise<TrustResult> {
  const target = hostAndPort(options.host, options.port);
  if (options.key !== undefined) {
    // A whole known_hosts line (`host type base64`) is accepted too: the host part is dropped.
    const parts = options.key.trim().split(/\s+/);
    const key = parts.length >= 3 && !/^(ssh-|ecdsa-)/.test(parts[0]!) ? parts.slice(1).join(' ') : options.key;
    return { trusted: await deps.api.trustKnownHost({ ...target, key }) };
  }
  const scanned = await deps.api.scanKnownHost(target);
  if (scanned.trusted) return { already: true, scanned };
  deps.note?.(`${scanned.host} offers this host key:\n  ${scanned.key.split(' ')[0]} ${scanned.fingerprint}\nCompare the fingerprint with the one your git provider publishes (or ssh-keygen -lf on the server's host key).`);
  if (!options.yes) {
    if (!deps.confirm) {
      throw usageError('not trusting a host key unasked: stdin is not a terminal', `check the fingerprint above, then run again with --yes, or give the key with --key "${scanned.key.split(' ')[0]} …"`, 'confirmation_required');
    }
    if (!(await deps.confirm(`Trust this key for ${scanned.host}? [y/N] `))) {
      throw new CliError(`the host key of ${scanned.host} was not trusted`, { code: 'not_confirmed', hint: 'nothing changed' });
    }
  }
  return { trusted: await deps.api.trustKnownHost({ ...target, key: scanned.key }) };
}
