/**
 * Chaos benchmark (not a test): kill -9 of the controller at random moments of pushes,
 * then a restart, and a count of what should never happen. Issue 9's proof:
 *   - local (the embedded default): `slipway server` killed while directory and git
 *     pushes stage and deploy, started again on the same data folder;
 *   - kubernetes, on the fake API of test/helpers/fake-kube: two replicas, the leader
 *     killed mid-stage or mid-rollout, the standby takes over, the killed one comes back
 *     as the new standby.
 * Per trial and in total it prints releases lost, runs stuck, orphans, leftover temp
 * bytes and duplicate builds (definitions in bench/README.md). Target: all zero. It
 * exits 0 whatever it finds: it is a benchmark.
 *
 *   npx node bench/chaos.ts                           # 100 local trials
 *   npx node bench/chaos.ts --runtime kubernetes      # 30 trials on the fake API
 *   npx node bench/chaos.ts --trials 20 --seed 7 --max-kill-ms 2000
 */
import { parseArgs } from 'node:util';
import { runLocalTrials } from './chaos/local-trials.ts';
import { runKubeTrials } from './chaos/kube-trials.ts';
import { formatHeader, formatRow, formatTotals, seededRandom, type TrialResult } from './chaos/report.ts';

const { values: args } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'local' },
    trials: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'max-kill-ms': { type: 'string', default: '1500' },
    'settle-ms': { type: 'string', default: '20000' },
  },
});
const runtime = args.runtime === 'kubernetes' ? 'kubernetes' : 'local';
const trials = Number(args.trials ?? (runtime === 'local' ? 100 : 30));
const seed = Number(args.seed);
const common = {
  trials, random: seededRandom(seed), maxKillMs: Number(args['max-kill-ms']), settleMs: Number(args['settle-ms']),
  onResult: (result: TrialResult) => console.log(formatRow(result)),
};

console.log(`chaos: ${trials} kill -9 trials on the ${runtime} runtime, seed ${seed}`);
console.log(formatHeader());
const started = Date.now();
const results = runtime === 'local' ? await runLocalTrials(common) : await runKubeTrials(common);
console.log(`\n${formatTotals(results)}`);
console.log(`took ${Math.round((Date.now() - started) / 1000)} s`);
