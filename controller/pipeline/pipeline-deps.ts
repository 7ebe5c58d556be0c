import type { BlobStore } from '../../core/ports/blob-store.ts';
import type { GitSource } from '../../core/ports/git-source.ts';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Runtime } from '../../core/ports/runtime.ts';
import type { StageTracker } from './stage-tracker.ts';
import type { RoutePolicy } from './app-routes.ts';

/** What the stage → deploy pipeline needs; the same whichever runtime is selected. */
export interface PipelineDeps {
  store: StateStore;
  blobs: BlobStore;
  git: GitSource;
  runtime: Runtime;
  clock: Clock;
  logger: Logger;
  stages: StageTracker;
  /**
   * Default routes are `<app>.<systemDomain>`. Read at each use: on Kubernetes without
   * `SLIPWAY_SYSTEM_DOMAIN` the composition root passes a getter over the derived domain,
   * which is '' while none is known ({@link systemDomainProblem} then says why).
   */
  systemDomain: string;
  /** While {@link systemDomain} is '': why, and what to do (for the deploy's error). */
  systemDomainProblem?: () => string | undefined;
  /** Whose hosts are whose (default: only the system domain is reserved). */
  routePolicy?: RoutePolicy;
}
