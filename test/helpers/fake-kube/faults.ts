/** Fault injection: failing or conflicting requests, latency, dropped watches, compaction. */
import { KubeError, conflict, statusFor } from './status.ts';

/** A request as faults and `kube.requests` see it. */
export type RecordedRequest = {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  fieldManager?: string;
  body?: unknown;
};

/** The controls tests use. */
export type Faults = {
  /** The next `times` matching requests answer `status` (default 500). */
  fail(opts: { times: number; status?: number; match?: (req: RecordedRequest) => boolean }): void;
  /** The next `times` matching writes (PUT, PATCH) answer 409 Conflict. */
  conflicts(opts: { times: number; match?: (req: RecordedRequest) => boolean }): void;
  /** Delay every response by `ms` (0 turns it off). */
  latency(ms: number): void;
  /** End every open watch stream now. */
  dropWatches(): void;
  /** Forget the event history: watches from older resourceVersions get 410 Expired. */
  compact(): void;
};

type Rule = { left: number; make: (req: RecordedRequest) => KubeError; match: (req: RecordedRequest) => boolean };

/** The faults plus the hook the server calls for each request (`check` throws the injected error). */
export function createFaults(deps: { dropWatches: () => void; compact: () => void }) {
  const rules: Rule[] = [];
  let delay = 0;
  const faults: Faults = {
    fail: ({ times, status = 500, match = () => true }) => {
      rules.push({ left: times, match, make: (req) => statusFor(status, `injected failure for ${req.method} ${req.path}`) });
    },
    conflicts: ({ times, match = () => true }) => {
      rules.push({
        left: times,
        match: (req) => (req.method === 'PUT' || req.method === 'PATCH') && match(req),
        make: (req) => conflict({ group: '', kind: '', plural: req.path.split('/').at(-2) ?? '', name: req.path.split('/').at(-1) }),
      });
    },
    latency: (ms) => { delay = ms; },
    dropWatches: () => deps.dropWatches(),
    compact: () => deps.compact(),
  };
  return {
    faults,
    /** Milliseconds to wait before answering. */
    delay: (): number => delay,
    /** Throw the injected error for this request, if one is due. */
    check(req: RecordedRequest): void {
      const rule = rules.find((r) => r.left > 0 && r.match(req));
      if (!rule) return;
      rule.left -= 1;
      throw rule.make(req);
    },
  };
}
