/**
 * Source routes: upload an archive, download a stored one, import from git. Each
 * streams: no body is held in memory whatever its size.
 */
import type { RouterMiddleware as Middleware } from '@koa/router';
import { sourceKey } from '../../../core/ports/blob-store.ts';
import { tooLarge } from '../../../core/error-cases.ts';
import type { ApiDeps } from '../api-deps.ts';
import { requireApp } from '../../pipeline/lookup.ts';
import { readBody } from '../parse-body.ts';
import { importGitSchema } from '../schemas.ts';
import { requestSignal } from '../request-signal.ts';
import { storeUpload } from '../../pipeline/store-upload.ts';
import { importGit } from '../../pipeline/import-git.ts';
import { recordSource } from '../../pipeline/record-source.ts';
import { assertBlobuid } from '../../pipeline/blobuid.ts';
import { multipartBoundary, multipartFile } from '../epinio/multipart-file.ts';
import { PassThrough, type Readable } from 'node:stream';

/**
 * POST /api/v1/namespaces/:ns/applications/:app/store — tar.gz, tar or zip body, or
 * (Epinio's CLI) the same as the form file `file` of a multipart/form-data body →
 * `{blobuid, format, size}`. Every cap applies to both; the multipart body counts
 * against the upload limit as a whole.
 */
export function appStoreRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > deps.limits.uploadBytes) throw tooLarge('the upload', deps.limits.uploadBytes, 'SLIPWAY_MAX_UPLOAD_BYTES');
    const { namespace, name } = app.metadata;
    const stored = await storeUpload(
      { blobs: deps.blobs, limits: deps.limits, tmpDir: deps.tmpDir },
      { namespace, app: name, body: uploadBody(ctx.req, ctx.get('content-type'), deps.limits.uploadBytes), signal: requestSignal(ctx) },
    );
    await recordSource(deps.store, namespace, name, {
      blobuid: stored.blobuid, format: stored.format, size: stored.size, createdAt: deps.clock.now().toISOString(),
    }, { kind: 'path' });
    deps.logger.info({ namespace, app: name, blobuid: stored.blobuid, size: stored.size, format: stored.format }, 'source stored');
    ctx.body = { blobuid: stored.blobuid, format: stored.format, size: stored.size };
  };
}

/**
 * The archive of a store request: the body, or the `file` part of a multipart body,
 * streamed through a stream of its own. A refused archive destroys that stream, never
 * the request: the request stays open for the answer, and the problem middleware
 * drains the rest a moment before closing (linger-unread-body.ts).
 */
function uploadBody(req: Readable, contentType: string, maxBytes: number): Readable {
  const boundary = multipartBoundary(contentType);
  const body = boundary ? multipartFile(boundary, 'file', maxBytes, () => tooLarge('the upload', maxBytes, 'SLIPWAY_MAX_UPLOAD_BYTES')) : new PassThrough();
  req.on('error', (error) => body.destroy(error));
  return req.pipe(body);
}

/** GET /api/v1/namespaces/:ns/applications/:app/store/:blobuid — the stored archive, as uploaded. */
export function appStoreDownloadRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const blobuid = assertBlobuid(ctx.params.blobuid);
    const blob = await deps.blobs.get(sourceKey(app.metadata.namespace, app.metadata.name, blobuid));
    ctx.type = blob.contentType;
    ctx.length = blob.size;
    const extension = blob.contentType === 'application/zip' ? 'zip' : blob.contentType === 'application/x-tar' ? 'tar' : 'tar.gz';
    ctx.attachment(`${app.metadata.name}-${blobuid}.${extension}`);
    ctx.body = blob.body;
  };
}

/** POST /api/v1/namespaces/:ns/applications/:app/import-git {giturl, gitrev, subdir} (JSON or form) → `{blobuid, revision, branch}`. */
export function appImportGitRoute(deps: ApiDeps): Middleware {
  return async (ctx) => {
    const body = readBody(ctx, importGitSchema);
    const app = await requireApp(deps.store, ctx.params.ns, ctx.params.app);
    const result = await importGit(deps, {
      namespace: app.metadata.namespace, app: app.metadata.name, url: body.giturl, revision: body.gitrev, subdir: body.subdir, signal: requestSignal(ctx),
    });
    deps.logger.info({ namespace: app.metadata.namespace, app: app.metadata.name, ...result }, 'git source imported');
    ctx.body = result;
  };
}
