/**
 * Git import benchmark (not a test): native `git clone --depth 1` + `tar czf` against
 * Slipway's git source (resolve + archive), on the same generated repository served
 * by a real `git http-backend`. Run with `node bench/import.ts`; see bench/README.md.
 *
 * Options: --files N (default 6000), --mb N (default 50), --runs N (default 3, best
 * of N is reported), --tmp DIR (default os.tmpdir()), --keep (keep the temp folder).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs, promisify } from 'node:util';
import { createGitSource } from '../controller/adapters/git/create-git-source.ts';
import { noGitCredentials } from '../controller/adapters/git/git-credentials.ts';
import { createBareRepo, createWorkRepo, gitEnv } from '../test/helpers/git-repo.ts';
import { startGitServer } from '../test/helpers/git-server.ts';

const run = promisify(execFile);
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    files: { type: 'string', default: '6000' },
    mb: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    tmp: { type: 'string', default: tmpdir() },
    keep: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
  },
});

if (args.child) await child(positionals[0]!, positionals[1]!, positionals[2]!);
else await main();

/** (b) in its own process, so its peak RSS is its own: resolve + archive to a file. */
async function child(url: string, out: string, tmpDir: string): Promise<void> {
  const started = performance.now();
  // The server's default archive limits (core/config.ts), so the figure includes their checks.
  const limits = { uploadBytes: 512 * 2 ** 20, unpackedBytes: 2 ** 31, archiveEntries: 100_000 };
  const source = createGitSource({ allowedHosts: ['127.0.0.1'], credentials: noGitCredentials, maxBytes: 1 << 30, timeoutMs: 600_000, tmpDir, limits });
  const resolved = await source.resolve(url, '');
  await pipeline(await source.archive({ url, resolved }), createWriteStream(out));
  const ms = performance.now() - started;
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));
}

async function main(): Promise<void> {
  const files = Number(args.files);
  const totalBytes = Number(args.mb) * 1024 * 1024;
  const runs = Number(args.runs);
  const root = await mkdtemp(join(args.tmp!, 'slipway-bench-'));
  const blobs = join(root, 'blobs');
  await mkdir(blobs);
  const server = await startGitServer({ root });
  try {
    console.log(`generating ${files} files, ~${args.mb} MB, 3 commits in ${root} …`);
    const { packBytes } = await generate(root, server.url, files, totalBytes);
    const url = `${server.url}/bench.git`;
    console.log(`served pack size ~${(packBytes / 1e6).toFixed(1)} MB\n`);

    const native: number[] = [];
    const ours: { ms: number; wallMs: number; maxRssKb: number; bytes: number }[] = [];
    for (let i = 0; i < runs; i++) {
      native.push(await nativeImport(root, url, join(blobs, `native-${i}.tar.gz`)));
      ours.push(await adapterImport(url, join(blobs, `slipway-${i}.tar.gz`), root));
    }
    const bestNative = Math.min(...native);
    const best = ours.reduce((a, b) => (b.ms < a.ms ? b : a));
    const peak = Math.max(...ours.map((o) => o.maxRssKb));
    const row = (name: string, ms: number, extra = '') => console.log(`${name.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)} s${extra}`);
    row('(a) git clone --depth 1 + tar czf + write', bestNative, `   runs: ${native.map((m) => (m / 1000).toFixed(2)).join(', ')}`);
    row('(b) slipway resolve + archive to file', best.ms, `   runs: ${ours.map((o) => (o.ms / 1000).toFixed(2)).join(', ')} (in-process; wall incl. node start ${(best.wallMs / 1000).toFixed(2)} s)`);
    console.log(`ratio b/a                                    ${(best.ms / bestNative).toFixed(2)}   (target ≤ 2.0)`);
    console.log(`(b) peak RSS                                 ${(peak / 1024).toFixed(0)} MB   (target ≤ 200 MB)`);
    console.log(`archive sizes: native ${(await size(join(blobs, 'native-0.tar.gz')) / 1e6).toFixed(1)} MB, slipway ${(best.bytes / 1e6).toFixed(1)} MB`);
  } finally {
    await server.close();
    if (!args.keep) await rm(root, { recursive: true, force: true });
  }
}

async function nativeImport(root: string, url: string, out: string): Promise<number> {
  const dir = await mkdtemp(join(root, 'clone-'));
  const started = performance.now();
  await run('git', ['clone', '--quiet', '--depth', '1', '--single-branch', url, join(dir, 'src')], { env: gitEnv(root) });
  await run('tar', ['czf', out, '--exclude=.git', '-C', join(dir, 'src'), '.']);
  const ms = performance.now() - started;
  await rm(dir, { recursive: true, force: true });
  return ms;
}

async function adapterImport(url: string, out: string, tmpDir: string): Promise<{ ms: number; wallMs: number; maxRssKb: number; bytes: number }> {
  const started = performance.now();
  const proc = spawn(process.execPath, [import.meta.filename, '--child', url, out, tmpDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  if (code !== 0) throw new Error(`the adapter run failed (exit ${code})`);
  const result = JSON.parse(output) as { ms: number; maxRssKb: number };
  return { ...result, wallMs: performance.now() - started, bytes: await size(out) };
}

/** A repository of text and incompressible binary files, pushed in three commits. */
async function generate(root: string, serverUrl: string, files: number, totalBytes: number): Promise<{ packBytes: number }> {
  await createBareRepo(root, 'bench');
  const work = await createWorkRepo();
  try {
    const binaryFiles = Math.max(1, Math.round(files / 60));
    const binaryBytes = Math.floor(totalBytes * 0.45 / binaryFiles);
    const textBytes = Math.floor(totalBytes * 0.55 / (files - binaryFiles));
    for (let commit = 0; commit < 3; commit++) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < files; i++) {
        // Later commits touch a tenth of the files, as a small change would.
        if (commit > 0 && i % 10 !== commit) continue;
        const dir = join(work.dir, `pkg${i % 40}`, `mod${i % 7}`);
        const binary = i < binaryFiles;
        batch.push(mkdir(dir, { recursive: true }).then(() =>
          writeFile(join(dir, binary ? `asset${i}.bin` : `file${i}.ts`), binary ? randomBytes(binaryBytes) : text(i, commit, textBytes))));
        if (batch.length >= 256) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
      await work.commit(`commit ${commit}`);
    }
    await work.push(`${serverUrl}/bench.git`, ['main']);
    await run('git', ['gc', '--quiet'], { cwd: join(root, 'bench.git'), env: gitEnv(root) });
    const { stdout } = await run('git', ['count-objects', '-v'], { cwd: join(root, 'bench.git'), env: gitEnv(root) });
    return { packBytes: Number(/size-pack: (\d+)/.exec(stdout)?.[1] ?? 0) * 1024 };
  } finally {
    await work.cleanup();
  }
}

/** Source-like text: varied lines, compressible like real code. */
function text(i: number, commit: number, bytes: number): string {
  const lines: string[] = [`// file ${i}, revision ${commit}`];
  let length = 0;
  for (let n = 0; length < bytes; n++) {
    const word = createHash('md5').update(`${i}:${n}`).digest('hex').slice(0, 8 + (n % 12));
    const line = `export const v${n}_${word} = compute(${n}, "${word}") + ${(i * n) % 997};`;
    lines.push(line);
    length += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

async function size(path: string): Promise<number> {
  return (await stat(path)).size;
}
