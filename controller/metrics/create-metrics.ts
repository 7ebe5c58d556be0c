/**
 * Prometheus metrics (`GET /metrics`, prom-client): what an operator graphs and alerts
 * on — runs by kind and result, how long each phase takes, work waiting, webhook
 * deliveries, watch checks, git and blob-store errors by code, leadership, apps by
 * phase — plus Node's default process metrics. One registry per server, so tests and
 * several servers in one process never share counters. Documented in docs/metrics.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Run } from '../../core/types.ts';

/** Phases a run passes through whose duration is measured. */
const TIMED_PHASES = new Set(['pending', 'importing', 'staging', 'deploying']);

/** What the gauges read when scraped; all optional (a server without a runtime has no runner). */
export interface MetricsSources {
  /** Runs active or queued (all apps). */
  queuedRuns?: () => number;
  /** Whether this replica executes runs (always, except a Kubernetes standby). */
  leading?: () => boolean;
  /** Apps by phase of their latest run, or `idle`/`none`; may be cached by the caller. */
  appsByPhase?: () => Promise<Record<string, number>>;
  /** Watch checks waiting or running. */
  queuedChecks?: () => number;
}

/** The server's metrics. */
export function createMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'slipway' });
  collectDefaultMetrics({ register: registry, prefix: 'slipway_' });
  const sources: MetricsSources = {};

  const runs = new Counter({ name: 'slipway_runs_total', help: 'Runs that ended, by kind (deploy|rollback), result (succeeded|failed) and reason (the error code, or "none").', labelNames: ['kind', 'result', 'reason'], registers: [registry] });
  const phaseSeconds = new Histogram({
    name: 'slipway_run_phase_duration_seconds', help: 'Time runs spent in each phase (pending, importing, staging, deploying).',
    labelNames: ['phase'], buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800], registers: [registry],
  });
  const webhooks = new Counter({ name: 'slipway_webhook_deliveries_total', help: 'Webhook deliveries by provider and outcome (queued|ignored|ping|unauthorized|refused|busy|error).', labelNames: ['provider', 'outcome'], registers: [registry] });
  const checks = new Counter({ name: 'slipway_watch_checks_total', help: 'Watch checks by reason (poll|webhook|manual) and result (unchanged|deploying|failed).', labelNames: ['reason', 'result'], registers: [registry] });
  const errors = new Counter({ name: 'slipway_errors_total', help: 'Errors of the git source and the blob store, by component (git|blob) and error code.', labelNames: ['component', 'code'], registers: [registry] });
  new Gauge({ name: 'slipway_runs_queued', help: 'Runs active or queued on this replica.', registers: [registry], collect() { this.set(sources.queuedRuns?.() ?? 0); } });
  new Gauge({ name: 'slipway_watch_checks_queued', help: 'Watch checks waiting or running.', registers: [registry], collect() { this.set(sources.queuedChecks?.() ?? 0); } });
  new Gauge({ name: 'slipway_leader', help: '1 when this replica executes runs (the Lease holder on Kubernetes; always in the embedded mode).', registers: [registry], collect() { this.set(sources.leading?.() === false ? 0 : 1); } });
  new Gauge({
    name: 'slipway_apps', help: 'Applications by the phase of their latest run (succeeded, failed, staging, …; "none" without runs).', labelNames: ['phase'], registers: [registry],
    async collect() {
      // A store that cannot be read leaves the gauge empty rather than failing the scrape.
      const counts: Record<string, number> = await (sources.appsByPhase?.() ?? Promise.resolve({})).catch(() => ({}));
      this.reset();
      for (const [phase, count] of Object.entries(counts)) this.set({ phase }, count);
    },
  });

  // Where each run is and since when, to time its phases; forgotten when it ends.
  const inPhase = new Map<string, { phase: string; since: number }>();

  return {
    registry,
    /** Connects the gauges to what they read (called once the server is wired). */
    connect(more: MetricsSources): void {
      Object.assign(sources, more);
    },
    /** A run observer (see create-runner.ts): times phases and counts ended runs. */
    observeRun(_namespace: string, _app: string, run: Run, now = Date.now()): void {
      const previous = inPhase.get(run.id);
      if (previous && previous.phase !== run.phase && TIMED_PHASES.has(previous.phase)) phaseSeconds.observe({ phase: previous.phase }, (now - previous.since) / 1000);
      if (run.phase === 'succeeded' || run.phase === 'failed') {
        inPhase.delete(run.id);
        runs.inc({ kind: run.kind, result: run.phase, reason: run.error?.code ?? 'none' });
      } else if (!previous || previous.phase !== run.phase) {
        inPhase.set(run.id, { phase: run.phase, since: now });
      }
    },
    /** Counts a webhook delivery from the answer it got. */
    webhookDelivered(provider: string, status: number, body: unknown): void {
      const answer = (body ?? {}) as { queued?: number; ignored?: string; ok?: boolean };
      const outcome = status === 202 ? (answer.queued ? 'queued' : 'ignored')
        : status === 200 ? 'ping'
          : status === 401 ? 'unauthorized'
            : status === 503 ? 'busy'
              : status >= 500 ? 'error' : 'refused';
      webhooks.inc({ provider, outcome });
    },
    /** Counts a watch check. */
    checked(reason: string, result: 'unchanged' | 'deploying' | 'failed'): void {
      checks.inc({ reason, result });
    },
    /** Counts an error of the git source or the blob store by its code. */
    failed(component: 'git' | 'blob', code: string): void {
      errors.inc({ component, code });
    },
    /** The text exposition of every metric. */
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** The server's metrics. */
export type Metrics = ReturnType<typeof createMetrics>;
