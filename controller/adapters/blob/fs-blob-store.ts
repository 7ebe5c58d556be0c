/**
 * The embedded blob store: one file per key under a folder (SLIPWAY_DATA_DIR/blobs).
 * A put streams into a hidden temp file beside its target and renames it into place
 * once complete, so a reader sees the whole blob or none, and a failed or aborted put
 * leaves nothing under the key. The content type lives in a hidden sidecar file.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile, access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blobNotFound, storageError } from '../../../core/error-cases.ts';
import type { BlobInfo, BlobStore } from '../../../core/ports/blob-store.ts';
import { assertBlobKey } from './assert-blob-key.ts';

/** Settings of {@link createFsBlobStore}. */
export interface FsBlobStoreOptions {
  /** Root folder; created on first write. */
  dir: string;
}

const DEFAULT_TYPE = 'application/octet-stream';
/** The name of a put's temp file and of its content-type temp file. */
const TEMP_NAME = /^\.[0-9a-f-]{36}\.tmp(\.meta)?$/;

/** A {@link BlobStore} in a local folder; `ready` tells whether the folder is usable, `cleanLeftovers` removes dead temp files. */
export function createFsBlobStore(options: FsBlobStoreOptions): BlobStore & { ready(): Promise<boolean>; cleanLeftovers(): Promise<{ count: number; bytes: number }> } {
  const root = options.dir;
  const pathOf = (key: string) => join(root, ...assertBlobKey(key).split('/'));
  const sidecarOf = (path: string) => join(dirname(path), `.${path.slice(dirname(path).length + 1)}.meta.json`);

  async function readType(path: string): Promise<string> {
    try {
      const meta = JSON.parse(await readFile(sidecarOf(path), 'utf8')) as { contentType?: unknown };
      return typeof meta.contentType === 'string' ? meta.contentType : DEFAULT_TYPE;
    } catch {
      return DEFAULT_TYPE;
    }
  }

  async function info(path: string): Promise<BlobInfo | undefined> {
    try {
      const stats = await stat(path);
      if (!stats.isFile()) return undefined;
      return { size: stats.size, contentType: await readType(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw error;
    }
  }

  async function remove(path: string): Promise<void> {
    await rm(path, { force: true });
    await rm(sidecarOf(path), { force: true });
  }

  return {
    async put(key, body, { contentType, signal }) {
      const path = pathOf(key);
      try {
        await mkdir(dirname(path), { recursive: true });
      } catch (error) {
        throw storageError(error, root) ?? error;
      }
      const temp = join(dirname(path), `.${randomUUID()}.tmp`);
      const sidecarTemp = `${temp}.meta`;
      let size = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback(null, chunk);
        },
      });
      try {
        await pipeline(body, counter, createWriteStream(temp, { flags: 'wx', flush: true }), { signal });
        await writeFile(sidecarTemp, JSON.stringify({ contentType }), { flag: 'wx' });
        signal?.throwIfAborted();
        await rename(sidecarTemp, sidecarOf(path));
        await rename(temp, path);
      } catch (error) {
        await rm(temp, { force: true });
        await rm(sidecarTemp, { force: true });
        // A full or read-only disk says so (507/503) instead of a bare 500.
        throw storageError(error, root) ?? error;
      }
      return { size, contentType };
    },

    async get(key) {
      const path = pathOf(key);
      const found = await info(path);
      if (!found) throw blobNotFound(key.split('/').pop()!);
      return { ...found, body: createReadStream(path) as Readable };
    },

    head: (key) => info(pathOf(key)),

    delete: (key) => remove(pathOf(key)),

    async deletePrefix(prefix) {
      // A prefix may end inside a name (`sources/ns/ap`), so list its folder and match.
      const cut = prefix.lastIndexOf('/');
      const folder = cut < 0 ? '' : prefix.slice(0, cut);
      const start = prefix.slice(cut + 1);
      const base = folder === '' ? root : pathOf(folder);
      let names: string[];
      try {
        names = await readdir(base);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw error;
      }
      for (const name of names) {
        if (name.startsWith('.') || !name.startsWith(start)) continue;
        const path = join(base, name);
        await rm(path, { recursive: true, force: true });
        await rm(sidecarOf(path), { force: true });
      }
      // A whole folder (`sources/ns/app/`): its now empty directory goes too, so a deleted app leaves nothing.
      if (start === '' && folder !== '') await rmdir(base).catch(() => {});
    },

    /**
     * Removes the temp files of puts that a killed process left (`.<uuid>.tmp` and its
     * `.meta`); run at start, before any put. Blobs and sidecars stay.
     */
    async cleanLeftovers() {
      let count = 0;
      let bytes = 0;
      async function walk(folder: string): Promise<void> {
        let entries;
        try {
          entries = await readdir(folder, { withFileTypes: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw error;
        }
        for (const entry of entries) {
          const path = join(folder, entry.name);
          if (entry.isDirectory()) await walk(path);
          else if (entry.isFile() && TEMP_NAME.test(entry.name)) {
            bytes += (await stat(path).catch(() => ({ size: 0 }))).size;
            await rm(path, { force: true });
            count += 1;
          }
        }
      }
      await walk(root);
      return { count, bytes };
    },

    async ready() {
      try {
        await mkdir(root, { recursive: true });
        await access(root);
        return true;
      } catch {
        return false;
      }
    },
  };
}
