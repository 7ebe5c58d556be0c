/**
 * A small npm registry over HTTPS with its own certificate authority, the way a network
 * that re-signs TLS looks to npm: a build reaches it only when the CA and the registry
 * address given to the server reach the build's npm. Serves packuments and tarballs of
 * the packages it is given; records every path asked for.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A package the stub serves: name, version and its files (package.json is written from name/version/bin). */
export interface StubPackage {
  name: string;
  version: string;
  files: Record<string, string>;
  bin?: Record<string, string>;
}

/** A running stub. */
export interface RegistryStub {
  url: string;
  /** PEM file of the CA that signed the stub's certificate. */
  caFile: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

async function makeCertificates(dir: string): Promise<{ key: Buffer; cert: Buffer; caFile: string }> {
  const at = (name: string) => join(dir, name);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=slipway test CA',
    '-keyout', at('ca.key'), '-out', at('ca.pem'), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=keyCertSign']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', at('key.pem'), '-out', at('req.pem')]);
  await writeFile(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  await run('openssl', ['x509', '-req', '-in', at('req.pem'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', at('ext.cnf'), '-out', at('cert.pem')]);
  return { key: await readFile(at('key.pem')), cert: await readFile(at('cert.pem')), caFile: at('ca.pem') };
}

async function pack(dir: string, pkg: StubPackage): Promise<Buffer> {
  const root = join(dir, `${pkg.name.replace('/', '+')}-${pkg.version}`);
  const files = { ...pkg.files, 'package.json': JSON.stringify({ name: pkg.name, version: pkg.version, ...(pkg.bin ? { bin: pkg.bin } : {}) }) };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, 'package', path)), { recursive: true });
    await writeFile(join(root, 'package', path), content, { mode: 0o755 });
  }
  await run('tar', ['czf', `${root}.tgz`, '-C', root, 'package']);
  return readFile(`${root}.tgz`);
}

/** Starts the stub on a free loopback port. */
export async function startRegistryStub(packages: StubPackage[]): Promise<RegistryStub> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-registry-'));
  const { key, cert, caFile } = await makeCertificates(dir);
  const tarballs = new Map<string, Buffer>();
  const packuments = new Map<string, { versions: Record<string, unknown>; latest: string }>();
  const requests: string[] = [];
  const server = createServer({ key, cert }, (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const tarball = tarballs.get(path);
    if (tarball) return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
    const packument = packuments.get(path.slice(1));
    if (!packument) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const name = path.slice(1);
    res.writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ name, 'dist-tags': { latest: packument.latest }, versions: packument.versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
  for (const pkg of packages) {
    const body = await pack(dir, pkg);
    const tarPath = `/${pkg.name}/-/${pkg.name.split('/').pop()}-${pkg.version}.tgz`;
    tarballs.set(tarPath, body);
    const entry = packuments.get(pkg.name) ?? { versions: {}, latest: pkg.version };
    entry.versions[pkg.version] = {
      name: pkg.name, version: pkg.version, ...(pkg.bin ? { bin: pkg.bin } : {}),
      dist: {
        tarball: `${url.slice(0, -1)}${tarPath}`,
        shasum: createHash('sha1').update(body).digest('hex'),
        integrity: `sha512-${createHash('sha512').update(body).digest('base64')}`,
      },
    };
    entry.latest = pkg.version;
    packuments.set(pkg.name, entry);
  }
  return {
    url, caFile, requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
