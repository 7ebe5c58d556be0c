import test from 'ava';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fingerprintOf, generateEd25519, importPrivateKey, parseHostKey, publicLine } from '../../../../../controller/adapters/git-keys/ssh-key-material.ts';
import { makeTempDir } from '../../../../helpers/temp-dir.ts';

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
test.after.always(() => Promise.all(cleanups.map((c) => c())));

async function tempDir(): Promise<string> {
  const { dir, cleanup } = await makeTempDir('slipway-keys-');
  cleanups.push(cleanup);
  return dir;
}

/** `ssh-keygen -lf` of a file: `bits SHA256:… comment (TYPE)`. */
const keygenFingerprint = async (file: string) => (await run('ssh-keygen', ['-lf', file])).stdout.split(' ')[1];

test('a generated ed25519 key reads back in ssh-keygen: same public key, same fingerprint', async (t) => {
  const dir = await tempDir();
  const key = generateEd25519('slipway-test');
  t.is(key.type, 'ssh-ed25519');
  const file = join(dir, 'id');
  await writeFile(file, key.privateKey, { mode: 0o600 });
  const derived = (await run('ssh-keygen', ['-y', '-f', file])).stdout.trim().split(' ').slice(0, 2).join(' ');
  t.is(derived, publicLine(key.type, key.publicBlob));
  await writeFile(`${file}.pub`, `${publicLine(key.type, key.publicBlob, 'c')}\n`);
  t.is(await keygenFingerprint(`${file}.pub`), fingerprintOf(key.publicBlob));
});

for (const [what, args] of [['OpenSSH ed25519', ['-t', 'ed25519']], ['PEM RSA (PKCS#1)', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']], ['PKCS#8 RSA', ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8']], ['OpenSSH ecdsa', ['-t', 'ecdsa']]] as const) {
  test(`imports an ${what} key with the public key and fingerprint ssh-keygen gives`, async (t) => {
    const dir = await tempDir();
    const file = join(dir, 'id');
    await run('ssh-keygen', ['-q', ...args, '-N', '', '-C', 'x', '-f', file]);
    const key = importPrivateKey(await readFile(file, 'utf8'), 'slipway-x');
    const pub = (await readFile(`${file}.pub`, 'utf8')).trim().split(' ');
    t.is(publicLine(key.type, key.publicBlob), `${pub[0]} ${pub[1]}`);
    t.is(fingerprintOf(key.publicBlob), await keygenFingerprint(`${file}.pub`));
    // What is stored must be readable by the transport (ssh2) as a private key.
    t.is(importPrivateKey(key.privateKey, 'again').publicBlob.toString('base64'), pub[1]);
  });
}

test('imports a PKCS#8 ed25519 key (what Node and openssl write)', (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = importPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'c');
  t.is(key.type, 'ssh-ed25519');
  t.deepEqual(key.publicBlob.subarray(-32), Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
  t.true(key.privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----'));
});

test('refuses encrypted keys with a clear message that quotes no key', async (t) => {
  const dir = await tempDir();
  for (const [name, args] of [['openssh', ['-t', 'ed25519']], ['pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']], ['pkcs8', ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8']]] as const) {
    const file = join(dir, name);
    await run('ssh-keygen', ['-q', ...args, '-N', 'secret-pass', '-f', file]);
    const text = await readFile(file, 'utf8');
    const error = t.throws(() => importPrivateKey(text, 'c'), undefined, name);
    t.is((error as { code?: string }).code, 'git_key_invalid');
    t.regex(error!.message, /encrypted with a passphrase/, name);
    t.false(error!.message.includes(text.split('\n')[1]!.slice(0, 20)), name);
  }
});

test('refuses public keys and garbage', async (t) => {
  const dir = await tempDir();
  const file = join(dir, 'id');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const pub = await readFile(`${file}.pub`, 'utf8');
  t.throws(() => importPrivateKey(pub, 'c'), { message: /public key/ });
  t.throws(() => importPrivateKey('hello', 'c'), { message: /not a private key/ });
});

test('host keys parse as "type base64" and refuse anything else', (t) => {
  const github = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  t.is(parseHostKey(`${github} comment`).key, github);
  t.is(fingerprintOf(parseHostKey(github).blob), 'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU');
  t.throws(() => parseHostKey('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'), { code: 'git_key_invalid' } as never);
  t.throws(() => parseHostKey('github.com'));
});
