/**
 * The repository the git source's revision tests archive, over HTTP and over SSH alike:
 * an older commit, a lightweight tag, a tip with every entry kind (exec bits, a symlink,
 * deep and odd names, binary bytes, an empty file, a submodule link) and an annotated
 * tag, and a `feature/x` branch one commit ahead — pushed to a bare repository.
 */
import type { Readable } from 'node:stream';
import { createBareRepo, createWorkRepo, type WorkRepo } from './git-repo.ts';

/** The repository and the commits its revisions name. */
export interface RevisionRepo {
  /** The bare repository's folder (what git servers serve). */
  bare: string;
  work: WorkRepo;
  shas: { old: string; tagged: string; main: string; feature: string };
}

/** Creates `<root>/app.git` holding the revisions above. */
export async function createRevisionRepo(root: string): Promise<RevisionRepo> {
  const bare = await createBareRepo(root, 'app');
  const work = await createWorkRepo();
  await work.write({ 'README.md': '# old\n', 'old.txt': 'gone later\n' });
  const old = await work.commit('old');
  await work.write({ 'README.md': '# tagged\n' });
  const tagged = await work.commit('tagged');
  await work.tag('v1');
  await work.remove('old.txt');
  await work.write({
    'README.md': '# app\n',
    'run.sh': { content: '#!/bin/sh\necho hi\n', executable: true },
    'link-to-readme': { symlink: 'README.md' },
    'nested/deep/er/file.txt': 'deep\n',
    'apps/web/index.js': 'console.log("web")\n',
    'apps/web/bin/start': { content: '#!/bin/sh\n', executable: true },
    'apps/api/main.go': 'package main\n',
    'binary.bin': Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)),
    'empty.txt': '',
    'ünïcode name.txt': 'utf-8 path\n',
    // A name the remote shell must not read (the SSH transport single-quotes paths).
    "it's quoted!.txt": 'shell-quoting\n',
  });
  await work.git('update-index', '--add', '--cacheinfo', `160000,${old},vendor/submodule`);
  const main = await work.commit('main');
  await work.tag('v2', { annotated: true });
  await work.branch('feature/x');
  await work.write({ 'feature.txt': 'feature\n' });
  const feature = await work.commit('feature');
  await work.checkout('main');
  await work.push(bare);
  return { bare, work, shas: { old, tagged, main, feature } };
}

/** Reads a stream to its end. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
