/**
 * What the local runtime's build step takes and returns. The run half of the local
 * runtime reads a {@link ReleasePlan} to start instances; nothing in it is specific
 * to how the release was built.
 */
import type { LogSink } from '../../../../core/ports/runtime.ts';
import type { TrackProcess } from '../run/process-records.ts';

/** How to run a built release. */
export interface ReleasePlan {
  kind: 'node' | 'static' | 'procfile';
  /** argv to start one instance (it must listen on $PORT), run with cwd = the release dir; absent for static. */
  command?: string[];
  /** For static sites: the folder to serve, relative to the release dir. */
  staticRoot?: string;
  /** For single-page apps: the file (in `staticRoot`) answered for unknown paths without an extension, `index.html`. */
  fallback?: string;
  /** Extra environment for the app (e.g. PATH with node_modules/.bin first, NODE_ENV=production). */
  env: Record<string, string>;
  /** One line a person reads in the push output, e.g. "Node.js app (npm ci, build script), starts with: node server.js". */
  description: string;
}

/** Inputs of {@link buildRelease}. */
export interface BuildOptions {
  /** The unpacked source (the release dir); the build runs in place. */
  dir: string;
  /** The app's environment (visible to the build). */
  env: Record<string, string>;
  /** Every build output line (`stdout`/`stderr`), plus `system` notes of what was detected and run. */
  log: LogSink;
  /** Folder of the node binary apps must use; first on PATH for builds and in `ReleasePlan.env.PATH`. */
  nodeBinDir: string;
  /** Deadline of the whole build; past it the build's process group is killed → `stage_failed`. */
  timeoutMs: number;
  /** Abort kills the build's process group → `stage_failed` with `data.aborted`. */
  signal?: AbortSignal;
  /** Cap on forwarded output bytes (default 1 MiB); then one `system` line "output truncated", and the build keeps running. */
  maxLogBytes?: number;
  /**
   * PATH searched after `nodeBinDir` when the app's env sets none: where npm, yarn and
   * pnpm are found. The server passes its own PATH; the default is the usual system one.
   */
  basePath?: string;
  /**
   * The server's own environment. Only the proxy, certificate-authority and package
   * manager settings in it reach builds (pass-through-env.ts), plus `extraPassEnv`.
   */
  serverEnv?: Record<string, string | undefined>;
  /** More names (or `PREFIX*`) of `serverEnv` to pass to builds (`SLIPWAY_BUILD_PASS_ENV`). */
  extraPassEnv?: readonly string[];
  /**
   * Folder shared by every build of this server for the npm, yarn and pnpm caches and
   * the yarn/pnpm versions fetched for projects (under the data folder). Default: inside
   * the release, `.slipway/cache`.
   */
  cacheDir?: string;
  /** Records each build step's process group, so a server restarted after a crash can end it (run/process-records.ts). */
  track?: TrackProcess;
}

/** PATH used when neither the app nor the caller gives one. */
export const DEFAULT_BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Default of {@link BuildOptions.maxLogBytes}. */
export const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;
