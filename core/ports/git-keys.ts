/**
 * Deploy keys for git over SSH (issue 17): key pairs per host pattern, and the host keys
 * Slipway trusts. Kept in the runtime's secret store (a 0600 file in the embedded mode,
 * a Secret on Kubernetes). Private keys never leave this port except to the SSH
 * transport; listings show fingerprints only.
 */

/** One stored deploy key, as listings show it. */
export interface GitKey {
  /** Unique name (default: derived from the host pattern). */
  name: string;
  /** Host pattern it applies to: `github.com`, `*.example.com`, `git.example.com:2222`. */
  host: string;
  /** `ssh-ed25519` or `ssh-rsa`. */
  type: string;
  /** The public key as one OpenSSH line (`ssh-ed25519 AAAA… slipway-<name>`), to paste into the provider. */
  publicKey: string;
  /** `SHA256:…`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  createdAt: string;
}

/** A trusted host key. */
export interface KnownHost {
  /** `host` or `[host]:port` (port 22 is written without brackets), as in known_hosts. */
  host: string;
  /** `ssh-ed25519 AAAA…` (type and base64 key). */
  key: string;
  fingerprint: string;
  /** `builtin` for the published keys of GitHub, GitLab.com and Bitbucket; `trusted` when added. */
  source: 'builtin' | 'trusted';
}

/** The store of deploy keys and trusted host keys. */
export interface GitKeyStore {
  list(): Promise<GitKey[]>;
  /** Stores a key pair: generated (ed25519) or the given private key (OpenSSH or PEM, unencrypted). */
  add(input: { host: string; name?: string; privateKey?: string }): Promise<GitKey>;
  /** False when no key has that name. */
  remove(name: string): Promise<boolean>;
  /** The private keys that apply to `host` (and `port`), most specific pattern first. */
  privateKeysFor(host: string, port: number): Promise<{ key: GitKey; privateKey: string }[]>;
  /** Host keys trusted for `host`:`port` (built-in and added). */
  knownHosts(host: string, port: number): Promise<KnownHost[]>;
  /** Every trusted host key (built-in and added). */
  listKnownHosts(): Promise<KnownHost[]>;
  /** Trusts `key` (`type base64`) for `host`:`port`. */
  trust(host: string, port: number, key: string): Promise<KnownHost>;
  /** Forgets an added host key; built-in keys cannot be removed. False when none matched. */
  untrust(host: string, port: number): Promise<boolean>;
}
