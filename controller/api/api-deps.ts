import type { BlobStore } from '../../core/ports/blob-store.ts';
import type { GitSource } from '../../core/ports/git-source.ts';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Router } from '@koa/router';
import type { SecretStore } from '../../core/ports/secret-store.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Authenticator } from '../auth/user-store.ts';
import type { PipelineDeps } from '../pipeline/pipeline-deps.ts';
import type { Runner } from '../pipeline/create-runner.ts';
import type { RoutePolicy } from '../pipeline/app-routes.ts';
import type { IdleLimits } from './long-request.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import type { GitKeyRoutesDeps } from './routes/git-keys.ts';

/** What `GET /api/v1/info` reports. */
export interface ServerInfo {
  version: string;
  runtime: 'none' | 'local' | 'kubernetes';
  blobStore: 'filesystem' | 's3';
  /** '' while no system domain is known (Kubernetes, derived, no ingress address yet). */
  systemDomain: string;
  /** While no system domain is known: why, and what to do. */
  systemDomainProblem?: string;
  /** Kubernetes: whether a controller holds the Lease, i.e. whether runs make progress. */
  controller?: ControllerInfo;
}

/** Who reconciles, as `GET /api/v1/info` reports it on Kubernetes. */
export interface ControllerInfo {
  /** True when a replica holds the Lease and has renewed it within its duration. */
  reconciling: boolean;
  /** The Lease's holder (the pod name), when held. */
  holder?: string;
  /** When not reconciling: what that means and what to look at. */
  problem?: string;
}

/** Limits applied to uploaded archives. */
export interface UploadLimits {
  uploadBytes: number;
  unpackedBytes: number;
  archiveEntries: number;
}

/** Everything the HTTP API needs, built by the composition root. */
export interface ApiDeps {
  store: StateStore;
  blobs: BlobStore;
  git: GitSource;
  auth: Authenticator;
  clock: Clock;
  logger: Logger;
  info: ServerInfo;
  /** What changes while the server runs (the derived system domain, the Lease), merged into `info` at each request. */
  liveInfo?: () => Promise<Partial<ServerInfo>>;
  limits: UploadLimits;
  /** Scratch space for uploads that must be spooled (zip). */
  tmpDir: string;
  /** Largest JSON or form body accepted, in bytes. */
  maxJsonBytes?: number;
  /** The stage → deploy pipeline; absent when no runtime is configured (those routes answer 409 `no_runtime`). */
  pipeline?: PipelineApi;
  /** Per-app secrets (webhook secrets). */
  secrets: SecretStore;
  /** Repository watching; absent without a runtime. */
  watch?: WatchApi;
  /** Provider webhooks (`/webhooks/*`), guarded by signatures instead of BasicAuth. */
  webhooks?: Router;
  /** The URL providers and users reach this server at. */
  publicUrl: () => string;
  /** Whose hosts are whose: checked when a request sets routes. */
  routePolicy: RoutePolicy;
  /** Prometheus metrics (`GET /metrics`), and `SLIPWAY_METRICS_TOKEN` when scrapes must bring it. */
  metrics?: Pick<Metrics, 'render' | 'webhookDelivered'>;
  metricsToken?: string;
  /** `SLIPWAY_WATCH_MIN_INTERVAL_MS`: shorter polling intervals are refused, not silently raised. */
  watchMinIntervalMs?: number;
  /** The server's idle limit, and how often streams send a heartbeat (default: 120 s). */
  idle?: IdleLimits;
  /** Deploy keys and trusted SSH host keys (`/api/v1/git-keys`, `/api/v1/git-known-hosts`); absent: those routes are not served. */
  gitKeys?: GitKeyRoutesDeps;
  /** Readiness beyond "the process is up" (the bucket is reachable, the state can be written). */
  ready?: () => Promise<Readiness>;
}

/** What a readiness check answers: ready or not, or not ready and why (`code` is stable, `reason` says what to do). */
export type Readiness = boolean | { code: string; reason: string };

/** The pipeline as the routes use it. */
export interface PipelineApi {
  deps: PipelineDeps;
  runner: Runner;
}

/** What the API needs of the watcher. */
export interface WatchApi {
  /** Re-reads one app after it was created, changed or deleted. */
  refresh(namespace: string, app: string): void | Promise<void>;
}
