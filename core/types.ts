/**
 * Slipway's domain objects. They are shaped like the `App` custom resource
 * (`apps.slipway.dev`): metadata, a `spec` the user owns, a `status` Slipway owns,
 * so the file store and the Kubernetes store hold the same thing.
 */

/** A namespace groups applications; it maps to a Kubernetes namespace. */
export interface Namespace {
  name: string;
  createdAt: string;
}

/** Source from a directory pushed by the CLI (stored as an archive). */
export interface PathOrigin {
  kind: 'path';
  /** The directory the CLI pushed, for display only. */
  path?: string;
}

/** Source from a git repository at a revision. */
export interface GitOrigin {
  kind: 'git';
  url: string;
  /** What the user asked for: branch, tag, short or full SHA; empty for the default branch. */
  revision?: string;
  /** The branch the revision was resolved on, when known. */
  branch?: string;
  /** Monorepos: only this folder of the repository becomes the app's source. */
  subdir?: string;
  /** Redeploy when the branch moves (repository watching). */
  watch?: boolean;
  /** Polling interval for watching, e.g. "1m". */
  interval?: string;
  /** Pull request preview apps (issue 15): each open pull request of the repository runs as its own app. */
  previews?: PreviewSettings;
}

/** `origin.git.previews`: whether and how pull requests get preview apps. */
export interface PreviewSettings {
  enabled: boolean;
  /** Open previews at most (default {@link DEFAULT_MAX_PREVIEWS}); a pull request over it is refused. */
  max?: number;
  /** Build pull requests from forks too (their code runs without the env values marked secret). */
  allowForks?: boolean;
}

/** Open previews per app when `max` is not given. */
export const DEFAULT_MAX_PREVIEWS = 5;

/** `spec.preview`: marks an app as the preview of one pull request of its parent. */
export interface PreviewOf {
  /** The parent app, in the same namespace. */
  parent: string;
  /** The pull (GitHub, Gitea) or merge (GitLab) request number. */
  number: number;
  /** The ref its head is read from: `refs/pull/N/head` or `refs/merge-requests/N/head`. */
  ref: string;
  /** Whether the pull request comes from a fork (then it runs without secret env values). */
  fork?: boolean;
}

/** A prebuilt container image; nothing to stage. */
export interface ContainerOrigin {
  kind: 'container';
  image: string;
}

/** Where an application's source comes from. */
export type Origin = PathOrigin | GitOrigin | ContainerOrigin;

/** What the user declares about an application. */
export interface AppSpec {
  origin?: Origin;
  instances: number;
  env: Record<string, string>;
  routes: string[];
  /** Buildpacks builder image (Kubernetes runtime). */
  builder?: string;
  /** Names of `env` variables whose values are secret: never given to a preview built from a fork. */
  secretEnv?: string[];
  /** Set on a pull request preview app: whose preview it is. */
  preview?: PreviewOf;
}

/** A source archive stored in the blob store. */
export interface SourceRecord {
  blobuid: string;
  /** Full 40-hex commit SHA for git sources. */
  revision?: string;
  branch?: string;
  subdir?: string;
  url?: string;
  /** Archive format as stored. */
  format: ArchiveFormat;
  size: number;
  createdAt: string;
}

/** A deployable build of an app: what rollback redeploys without rebuilding. */
export interface Release {
  /** 1, 2, 3, … per app. */
  number: number;
  stageId: string;
  /** What the runtime runs: an image reference, or a local release id. */
  image: string;
  blobuid: string;
  revision?: string;
  branch?: string;
  createdAt: string;
  /** Bytes the built release takes on the server's disk (local runtime); absent when the runtime cannot tell (images). */
  sizeBytes?: number;
}

/** Phases of a run, in order; `succeeded` and `failed` are final. */
export type RunPhase = 'pending' | 'importing' | 'staging' | 'deploying' | 'succeeded' | 'failed';

/** One asynchronous deployment (`POST …/deployments`) or rollback, persisted so it survives a restart. */
export interface Run {
  id: string;
  kind: 'deploy' | 'rollback';
  phase: RunPhase;
  blobuid?: string;
  revision?: string;
  branch?: string;
  stageId?: string;
  image?: string;
  /** The release it created (deploy) or redeployed (rollback). */
  release?: number;
  routes?: string[];
  urls?: string[];
  error?: { code: string; message: string };
  startedAt: string;
  finishedAt?: string;
  /** The app's `metadata.generation` when the run was asked for (a spec change already acted on). */
  generation?: number;
  /** Who asked, when it reads runs in its own shape: `epinio` (Epinio's CLI decodes `error` as a string). */
  client?: 'epinio';
}

/** How the app's instances are doing, as last seen by the runtime. */
export interface RuntimeState {
  phase: string;
  desired: number;
  ready: number;
  restarts: number;
  message?: string;
}

/** What repository watching last saw for an app (polling and webhooks). */
export interface WatchState {
  lastCheck?: string;
  /** The branch head the last check resolved. */
  head?: string;
  error?: { code: string; message: string };
  nextCheck?: string;
  /** Consecutive failed checks (polling backs off with them). */
  failures: number;
}

/** What Slipway observed and did for an application. */
export interface AppStatus {
  /** The most recent stored source. */
  source?: SourceRecord;
  /** The latest run. */
  run?: Run;
  /** Recent runs, newest first (bounded). */
  runs?: Run[];
  /** The release that serves. */
  release?: Release;
  /** Release history, newest first (bounded, for rollback). */
  releases?: Release[];
  routes?: string[];
  urls?: string[];
  runtime?: RuntimeState;
  watch?: WatchState;
  /** `Ready`, `Staged` and `Deployed`, Kubernetes-style (the embedded store keeps them too). */
  conditions?: Condition[];
  /** The `metadata.generation` of the spec the last reconcile acted on. */
  observedGeneration?: number;
  /** Parent apps with previews: the pull requests seen closed, so a replayed or older delivery cannot bring a preview back. */
  previews?: PreviewRecords;
  /** A preview: when the provider last changed its pull request, as the newest delivery acted on said (a replayed older close is ignored). */
  pullRequestUpdatedAt?: string;
}

/** What a parent app remembers of its previews' pull requests. */
export interface PreviewRecords {
  /** Newest first, bounded: `at` is when the provider closed it (or when Slipway learnt so). */
  closed: { number: number; at: string }[];
}

/** A Kubernetes-style condition: a fact about the app, why, and since when. */
export interface Condition {
  type: 'Ready' | 'Staged' | 'Deployed';
  status: 'True' | 'False' | 'Unknown';
  /** CamelCase machine-readable cause, e.g. `StageFailed`, `RolloutComplete`. */
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Identity and bookkeeping of an application. */
export interface AppMetadata {
  namespace: string;
  name: string;
  /** Opaque version for optimistic concurrency; changes on every write. */
  resourceVersion: string;
  /** Increases when `spec` changes. */
  generation: number;
  createdAt: string;
}

/** An application: the unit Slipway stores, stages and deploys. */
export interface App {
  metadata: AppMetadata;
  spec: AppSpec;
  status: AppStatus;
}

/** Formats accepted for source uploads. */
export type ArchiveFormat = 'tar' | 'tar.gz' | 'zip';

/** The result of storing or importing source. */
export interface StoredSource {
  blobuid: string;
  revision?: string;
  branch?: string;
}
