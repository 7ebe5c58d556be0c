/**
 * SSH key material for deploy keys: generating an ed25519 pair, reading a private key a
 * user brings (OpenSSH, PKCS#1 RSA PEM, PKCS#8 PEM), and the public line and SHA256
 * fingerprint `ssh-keygen -lf` prints. Private keys are stored in a form the `ssh2`
 * client reads (OpenSSH for ed25519, PKCS#1 PEM for RSA): ssh2's parser does not read
 * PKCS#8, so such keys are converted once here. No message built here quotes key text.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { loadSsh2 } from './load-ssh2.ts';
import { gitKeyInvalid } from '../../../core/error-cases.ts';

/** A private key ready to store, with what listings show of it. */
export interface KeyMaterial {
  /** `ssh-ed25519`, `ssh-rsa` or `ecdsa-sha2-nistp…`. */
  type: string;
  /** The public key blob (the base64 part of an OpenSSH public line, decoded). */
  publicBlob: Buffer;
  /** OpenSSH or PEM text the ssh2 client accepts as `privateKey`. */
  privateKey: string;
}

/** Key types the SSH transport can authenticate with. */
const SUPPORTED = new Set(['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521']);

/** An SSH wire `string`: uint32 length, then the bytes. */
const sshString = (data: Buffer | string): Buffer => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

/** `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The one-line OpenSSH public key, `type base64 [comment]`. */
export function publicLine(type: string, publicBlob: Buffer, comment?: string): string {
  return `${type} ${publicBlob.toString('base64')}${comment ? ` ${comment}` : ''}`;
}

/** The raw 32-byte public key and seed of an ed25519 key object (through its JWK). */
function ed25519Raw(key: KeyObject): { pub: Buffer; seed: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  return { pub: Buffer.from(jwk.x!, 'base64url'), seed: Buffer.from(jwk.d!, 'base64url') };
}

/**
 * Writes an unencrypted `openssh-key-v1` file holding one ed25519 key (PROTOCOL.key in
 * OpenSSH's source describes the layout): what `ssh-keygen -t ed25519 -N ''` writes.
 */
function opensshEd25519(pub: Buffer, seed: Buffer, comment: string): string {
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment),
  ]);
  // Padded with 1, 2, 3, … to the cipher block size (8 for "none").
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''),
    Buffer.from([0, 0, 0, 1]), sshString(publicBlob), sshString(secret),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A new ed25519 key pair; `comment` ends up in the private key file only. */
export function generateEd25519(comment: string): KeyMaterial {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { pub, seed } = ed25519Raw(privateKey);
  return {
    type: 'ssh-ed25519',
    publicBlob: Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]),
    privateKey: opensshEd25519(pub, seed, comment),
  };
}

/**
 * Reads a private key a user brings. Refuses encrypted keys (the server has no one to ask
 * for a passphrase), public keys, and types the transport cannot use, with a message that
 * says what to do and never quotes the key.
 */
export function importPrivateKey(text: string, comment: string): KeyMaterial {
  const trimmed = text.trim();
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(trimmed) || /^Proc-Type:\s*4,ENCRYPTED/m.test(trimmed)) {
    throw gitKeyInvalid('the private key is encrypted with a passphrase; remove it on a copy (ssh-keygen -p -N "" -f COPY) and import that');
  }
  let usable = trimmed;
  if (/^-----BEGIN PRIVATE KEY-----/.test(trimmed)) usable = fromPkcs8(trimmed, comment);
  const parsed = loadSsh2().utils.parseKey(usable);
  if (parsed instanceof Error) {
    if (/encrypted|passphrase/i.test(parsed.message)) {
      throw gitKeyInvalid('the private key is encrypted with a passphrase; remove it on a copy (ssh-keygen -p -N "" -f COPY) and import that');
    }
    throw gitKeyInvalid('not a private key Slipway can read; give an OpenSSH ("BEGIN OPENSSH PRIVATE KEY") or PEM ("BEGIN RSA PRIVATE KEY", "BEGIN PRIVATE KEY") file');
  }
  if (!parsed.isPrivateKey()) throw gitKeyInvalid('that is a public key; give the private key file (the one without .pub)');
  if (!SUPPORTED.has(parsed.type)) throw gitKeyInvalid(`keys of type ${parsed.type} are not supported; use ed25519 (ssh-keygen -t ed25519) or RSA`);
  return { type: parsed.type, publicBlob: Buffer.from(parsed.getPublicSSH()), privateKey: `${usable}\n` };
}

/** PKCS#8 to what ssh2 reads: PKCS#1 PEM for RSA, OpenSSH for ed25519. */
function fromPkcs8(pem: string, comment: string): string {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw gitKeyInvalid('the PEM private key does not parse; check that the whole file was given');
  }
  if (key.asymmetricKeyType === 'rsa') return key.export({ format: 'pem', type: 'pkcs1' }).toString().trim();
  if (key.asymmetricKeyType === 'ed25519') {
    const { pub, seed } = ed25519Raw(key);
    return opensshEd25519(pub, seed, comment).trim();
  }
  throw gitKeyInvalid(`PKCS#8 keys of type ${key.asymmetricKeyType ?? 'unknown'} are not supported; use ed25519 or RSA`);
}

/**
 * Parses a host key as `type base64` (a known_hosts line without the host, or with a
 * comment after it). Returns the normal form and the blob; throws on anything else.
 */
export function parseHostKey(line: string): { key: string; type: string; blob: Buffer } {
  const parts = line.trim().split(/\s+/);
  const [type, data] = parts;
  const blob = data && /^[A-Za-z0-9+/]+={0,2}$/.test(data) ? Buffer.from(data, 'base64') : undefined;
  const parsed = blob && loadSsh2().utils.parseKey(`${type} ${data}`);
  if (!type || !blob || !parsed || parsed instanceof Error || parsed.type !== type || !Buffer.from(parsed.getPublicSSH()).equals(blob)) {
    throw gitKeyInvalid('a host key is one line "TYPE BASE64", e.g. "ssh-ed25519 AAAAC3Nza…", as ssh-keyscan prints it after the host name');
  }
  return { key: `${type} ${data}`, type, blob };
}
