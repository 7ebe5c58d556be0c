/**
 * An in-memory Runtime for pipeline and API tests: stages "build" by writing log lines,
 * deploys record what runs. Tests steer it: make the next stage or deploy fail, or hold
 * stages at a gate to observe queueing. The real runtimes run the same port contract.
 */
import type { DeployInput, LogLine, LogOptions, Runtime, RuntimeAppStatus, StageInput } from '../../core/ports/runtime.ts';
import { SlipwayError } from '../../core/errors.ts';

/** The fake and its controls. */
export interface FakeRuntime extends Runtime {
  staged: StageInput[];
  deployed: DeployInput[];
  /** The next stage fails with this message. */
  failNextStage?: string;
  /** The next deploy fails with this message. */
  failNextDeploy?: string;
  /** Deploys report this as the release's size on disk (as the local runtime does). */
  sizeBytes?: number;
  /** Each deploy takes this long (to observe ordering). */
  deployDelayMs?: number;
  /** When set, stages wait for `openGate()` before finishing. */
  gate?: Promise<void>;
  holdStages(): void;
  openGate(): void;
}

async function* replay(lines: LogLine[], done: Promise<void>, options: LogOptions): AsyncIterable<LogLine> {
  let sent = 0;
  for (;;) {
    while (sent < lines.length) yield lines[sent++]!;
    if (!options.follow) return;
    const finished = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);
    if (finished && sent >= lines.length) return;
  }
}

/** Creates a fake runtime. */
export function createFakeRuntime(): FakeRuntime {
  const stageLogs = new Map<string, { lines: LogLine[]; done: Promise<void> }>();
  const running = new Map<string, DeployInput>();
  let release: (() => void) | undefined;
  const line = (text: string): LogLine => ({ time: new Date().toISOString(), stream: 'stdout', text, source: 'build' });
  const fake: FakeRuntime = {
    kind: 'local',
    staged: [],
    deployed: [],
    holdStages() {
      fake.gate = new Promise<void>((resolve) => { release = resolve; });
    },
    openGate() {
      release?.();
      fake.gate = undefined;
    },
    async stage(input) {
      fake.staged.push(input);
      const lines: LogLine[] = [line(`building ${input.app} from ${input.blobuid}`)];
      let finish!: () => void;
      stageLogs.set(`${input.namespace}/${input.stageId}`, { lines, done: new Promise((r) => { finish = r; }) });
      try {
        if (fake.gate) await fake.gate;
        const failure = fake.failNextStage;
        fake.failNextStage = undefined;
        if (failure) {
          lines.push(line(failure));
          throw new SlipwayError('stage_failed', failure, { status: 422, data: { log: [failure] } });
        }
        lines.push(line('build done'));
        return { stageId: input.stageId, image: `fake/${input.namespace}-${input.app}:${input.stageId}` };
      } finally {
        finish();
      }
    },
    stagingLogs(namespace, stageId, options) {
      const entry = stageLogs.get(`${namespace}/${stageId}`);
      return replay(entry?.lines ?? [], entry?.done ?? Promise.resolve(), options);
    },
    async deploy(input) {
      if (fake.deployDelayMs) await new Promise((r) => setTimeout(r, fake.deployDelayMs));
      fake.deployed.push(input);
      const failure = fake.failNextDeploy;
      fake.failNextDeploy = undefined;
      if (failure) throw new SlipwayError('deploy_failed', failure, { status: 422, data: { log: [failure] } });
      running.set(`${input.namespace}/${input.app}`, input);
      return { routes: input.routes, urls: input.routes.map((r) => `http://${r}:8080/`), ...(fake.sizeBytes === undefined ? {} : { sizeBytes: fake.sizeBytes }) };
    },
    async status(namespace, app): Promise<RuntimeAppStatus> {
      const current = running.get(`${namespace}/${app}`);
      return current
        ? { phase: 'running', desired: current.instances, ready: current.instances, restarts: 0, stageId: current.stageId }
        : { phase: 'absent', desired: 0, ready: 0, restarts: 0 };
    },
    logs(namespace, app, options) {
      const current = running.get(`${namespace}/${app}`);
      return replay(current ? [line(`serving ${current.image}`)] : [], Promise.resolve(), { ...options, follow: false });
    },
    async restart() {},
    async delete(namespace, app) {
      running.delete(`${namespace}/${app}`);
    },
  };
  return fake;
}
