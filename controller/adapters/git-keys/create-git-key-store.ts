/**
 * The {@link GitKeyStore} over one document of keys and trusted host keys, kept by a
 * backend (a 0600 file in the embedded mode, a Secret on Kubernetes). The rules live here
 * once: names, host patterns and their precedence, built-in host keys, and that private
 * keys leave only through `privateKeysFor`.
 */
import type { GitKey, GitKeyStore, KnownHost } from '../../../core/ports/git-keys.ts';
import type { Clock } from '../../../core/ports/clock.ts';
import { systemClock } from '../../../core/ports/clock.ts';
import { gitKeyExists, gitKeyInvalid, invalidRequest } from '../../../core/error-cases.ts';
import { BUILTIN_KNOWN_HOSTS } from './builtin-known-hosts.ts';
import { defaultKeyName, formatHostPattern, knownHostName, matchScore, parseHostPattern } from './host-patterns.ts';
import { fingerprintOf, generateEd25519, importPrivateKey, parseHostKey, publicLine } from './ssh-key-material.ts';

/** A key as stored: the listing's fields and the private key. */
export interface StoredGitKey extends GitKey {
  privateKey: string;
}

/** An added host key as stored. */
export interface StoredKnownHost {
  host: string;
  key: string;
  fingerprint: string;
}

/** What a backend keeps. */
export interface GitKeyDocument {
  keys: StoredGitKey[];
  knownHosts: StoredKnownHost[];
}

/** Where the document lives. `update` runs `change` on the newest document and stores the result, one writer at a time. */
export interface GitKeyBackend {
  read(): Promise<GitKeyDocument>;
  update<T>(change: (document: GitKeyDocument) => T): Promise<T>;
}

/** An empty document. */
export const emptyDocument = (): GitKeyDocument => ({ keys: [], knownHosts: [] });

/** True when `value` has the document's shape (a hand-edited file may not). */
export function isGitKeyDocument(value: unknown): value is GitKeyDocument {
  const doc = value as Partial<GitKeyDocument> | null;
  return typeof doc === 'object' && doc !== null && Array.isArray(doc.keys) && Array.isArray(doc.knownHosts);
}

const KEY_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The built-in known hosts, parsed on first use: parsing loads `ssh2` (load-ssh2.ts),
 * which a server that never meets an SSH remote should not pay for (~16 MiB of its
 * address space and a few MiB resident).
 */
let parsedBuiltins: KnownHost[] | undefined;
function builtinHosts(): KnownHost[] {
  parsedBuiltins ??= BUILTIN_KNOWN_HOSTS.map((line) => {
    const [host, ...rest] = line.split(' ');
    const parsed = parseHostKey(rest.join(' '));
    return { host: host!, key: parsed.key, fingerprint: fingerprintOf(parsed.blob), source: 'builtin' };
  });
  return parsedBuiltins;
}

const listing = ({ privateKey: _secret, ...key }: StoredGitKey): GitKey => key;
const added = (entry: StoredKnownHost): KnownHost => ({ host: entry.host, key: entry.key, fingerprint: entry.fingerprint, source: 'trusted' });

/** Creates the store over `backend`. */
export function createGitKeyStore(backend: GitKeyBackend, clock: Clock = systemClock): GitKeyStore {
  return {
    async list() {
      return (await backend.read()).keys.map(listing);
    },

    async add(input) {
      const pattern = parseHostPattern(input.host);
      const name = (input.name ?? defaultKeyName(pattern)).trim();
      if (!KEY_NAME.test(name)) throw invalidRequest(`key name ${JSON.stringify(name)} must be lower-case letters, digits and "-", at most 63 characters`, { field: 'name' });
      const comment = `slipway-${name}`;
      if (input.privateKey !== undefined && input.privateKey.trim() === '') throw gitKeyInvalid('the private key is empty');
      // Made before the update: RSA parsing and generation take a moment, and the backend's turn should not.
      const material = input.privateKey === undefined ? generateEd25519(comment) : importPrivateKey(input.privateKey, comment);
      const key: StoredGitKey = {
        name, host: formatHostPattern(pattern), type: material.type,
        publicKey: publicLine(material.type, material.publicBlob, comment),
        fingerprint: fingerprintOf(material.publicBlob),
        createdAt: clock.now().toISOString(),
        privateKey: material.privateKey,
      };
      return backend.update((doc) => {
        if (doc.keys.some((k) => k.name === name)) throw gitKeyExists(name);
        doc.keys.push(key);
        return listing(key);
      });
    },

    async remove(name) {
      return backend.update((doc) => {
        const before = doc.keys.length;
        doc.keys = doc.keys.filter((k) => k.name !== name);
        return doc.keys.length !== before;
      });
    },

    async privateKeysFor(host, port) {
      const scored = (await backend.read()).keys
        .map((key) => ({ key, score: matchScore(parseHostPattern(key.host), host, port) }))
        .filter((entry): entry is { key: StoredGitKey; score: number } => entry.score !== undefined)
        .sort((a, b) => b.score - a.score || a.key.createdAt.localeCompare(b.key.createdAt));
      return scored.map(({ key }) => ({ key: listing(key), privateKey: key.privateKey }));
    },

    async knownHosts(host, port) {
      const name = knownHostName(host, port);
      const doc = await backend.read();
      return [...builtinHosts().filter((b) => b.host === name), ...doc.knownHosts.filter((k) => k.host === name).map(added)];
    },

    async listKnownHosts() {
      return [...builtinHosts(), ...(await backend.read()).knownHosts.map(added)];
    },

    async trust(host, port, key) {
      const name = knownHostName(host, port);
      const parsed = parseHostKey(key);
      const entry: StoredKnownHost = { host: name, key: parsed.key, fingerprint: fingerprintOf(parsed.blob) };
      return backend.update((doc) => {
        // A host has one key of each type: trusting a new one (after a rotation) replaces the old.
        doc.knownHosts = doc.knownHosts.filter((k) => !(k.host === name && k.key.split(' ')[0] === parsed.type));
        doc.knownHosts.push(entry);
        return added(entry);
      });
    },

    async untrust(host, port) {
      const name = knownHostName(host, port);
      return backend.update((doc) => {
        const before = doc.knownHosts.length;
        doc.knownHosts = doc.knownHosts.filter((k) => k.host !== name);
        return doc.knownHosts.length !== before;
      });
    },
  };
}

/** True when `host`:`port` has built-in host keys (they cannot be removed). */
export function hasBuiltinHostKeys(host: string, port: number): boolean {
  const name = knownHostName(host, port);
  return BUILTIN_KNOWN_HOSTS.some((line) => line.split(' ')[0] === name);
}
