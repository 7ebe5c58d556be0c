/**
 * The runtime: what stages a stored source into something runnable and runs it. Two
 * implementations share this port — local processes (the embedded default) and
 * Kubernetes (Jobs, Deployments) — so the pipeline, the API and the CLI are the same
 * whichever is selected. Keep it free of either one's words.
 */

/** One line of build or app output. */
export interface LogLine {
  /** ISO time the line was read. */
  time: string;
  /** `system` lines are Slipway's own notes (e.g. "instance 2 restarted"). */
  stream: 'stdout' | 'stderr' | 'system';
  text: string;
  /** Which instance (app logs) or step (staging logs) wrote it. */
  source?: string;
}

/** Where stage and run output goes while it happens. */
export type LogSink = (line: Omit<LogLine, 'time'>) => void;

/** What to stage. */
export interface StageInput {
  namespace: string;
  app: string;
  /** Unique per stage; the key of everything the stage leaves behind. */
  stageId: string;
  /** Blob of the source archive (`sourceKey(namespace, app, blobuid)`). */
  blobuid: string;
  /** Builder image (Kubernetes); ignored by runtimes that do not use one. */
  builder?: string;
  /** The app's environment, visible to the build. */
  env: Record<string, string>;
  /** The image of the release that serves now, if any: a runtime may reuse its layers (Kubernetes: `-previous-image`). */
  previousImage?: string;
  signal?: AbortSignal;
}

/** A staged release: `image` is what deploy runs (an image reference, or a local release id). */
export interface StageOutput {
  stageId: string;
  image: string;
}

/** What to deploy. */
export interface DeployInput {
  namespace: string;
  app: string;
  stageId: string;
  image: string;
  instances: number;
  env: Record<string, string>;
  /** Host names (optionally with a path) the app answers on; never empty (the pipeline fills the default). */
  routes: string[];
  signal?: AbortSignal;
}

/** Where a deployed app answers. */
export interface DeployOutput {
  routes: string[];
  /** URLs a person can open, e.g. `http://web.localhost:8080/`. */
  urls: string[];
  /** Bytes the deployed release takes on disk, when the runtime keeps it on its own disk (local runtime). */
  sizeBytes?: number;
}

/** How an app is doing right now, as its runtime sees it. */
export interface RuntimeAppStatus {
  phase: 'running' | 'starting' | 'degraded' | 'crashed' | 'stopped' | 'absent';
  desired: number;
  ready: number;
  restarts: number;
  /** The stage id of the release that runs. */
  stageId?: string;
  /** Why it is not running, when it is not. */
  message?: string;
}

/** Options for reading logs. */
export interface LogOptions {
  follow: boolean;
  /** Lines from the end to start with. */
  tail?: number;
  signal?: AbortSignal;
}

/** A runtime. Errors are SlipwayErrors with stable codes (`stage_failed`, `deploy_failed`, …). */
export interface Runtime {
  readonly kind: 'local' | 'kubernetes';
  /** Builds the source into a release; output goes to the stage's log. */
  stage(input: StageInput): Promise<StageOutput>;
  /** The stage's log: what was written so far, then (follow) what comes until the stage ends. */
  stagingLogs(namespace: string, stageId: string, options: LogOptions): AsyncIterable<LogLine>;
  /** Runs the release and switches the app's routes to it once it answers; the previous release keeps serving until then. */
  deploy(input: DeployInput): Promise<DeployOutput>;
  status(namespace: string, app: string): Promise<RuntimeAppStatus>;
  /**
   * The status as far as the runtime knows it without asking anyone (Kubernetes: from
   * its Deployment cache; no pod details, restarts 0): what a listing of many apps
   * shows; undefined while it knows nothing yet (then `status` is asked). Runtimes
   * whose `status` is cheap leave it out.
   */
  cachedStatus?(namespace: string, app: string): RuntimeAppStatus | undefined;
  logs(namespace: string, app: string, options: LogOptions): AsyncIterable<LogLine>;
  /** Restarts every instance of the running release, one at a time. */
  restart(namespace: string, app: string): Promise<void>;
  /** Stops and forgets everything the runtime holds for the app. */
  delete(namespace: string, app: string): Promise<void>;
}
