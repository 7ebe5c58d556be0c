/**
 * Stages in flight in this process, by id, so `staging/:id/complete` can wait for one.
 * Finished stages are found on the app's runs instead, which survive a restart.
 */

/** What is known of a stage. */
export interface StageState {
  namespace: string;
  app: string;
  phase: 'running' | 'succeeded' | 'failed';
  error?: { code: string; message: string };
  done: Promise<void>;
}

/** Creates an empty tracker. */
export function createStageTracker() {
  const stages = new Map<string, StageState>();
  const key = (namespace: string, stageId: string) => `${namespace}/${stageId}`;
  return {
    /** Records `work` as the stage `stageId` and returns its result. Finished entries are kept briefly. */
    async track<T>(namespace: string, app: string, stageId: string, work: Promise<T>): Promise<T> {
      const state: StageState = { namespace, app, phase: 'running', done: work.then(() => {}, () => {}) };
      stages.set(key(namespace, stageId), state);
      try {
        const result = await work;
        state.phase = 'succeeded';
        return result;
      } catch (error) {
        state.phase = 'failed';
        state.error = { code: (error as { code?: string }).code ?? 'stage_failed', message: (error as Error).message };
        throw error;
      } finally {
        setTimeout(() => stages.delete(key(namespace, stageId)), 10 * 60_000).unref();
      }
    },
    get: (namespace: string, stageId: string) => stages.get(key(namespace, stageId)),
  };
}

/** The tracker's type. */
export type StageTracker = ReturnType<typeof createStageTracker>;
