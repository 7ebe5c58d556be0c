/**
 * What one kill -9 trial of bench/chaos.ts found, and the table and totals it prints.
 * Every column is a count of something that should never happen; the target is zero.
 */

/** The findings of one trial. */
export interface TrialResult {
  trial: number;
  /** Where the controller was when it was killed ("after 812 ms", "staging", "deploying"). */
  moment: string;
  /** Pushes asked for in the trial (deployment runs requested, answered or not). */
  pushes: number;
  /** Apps whose serving release was gone, or older, once the restart settled. */
  releasesLost: number;
  /** Runs still pending/importing/staging/deploying after the restart settled. */
  runsStuck: number;
  /** Processes (local) or staging Jobs (kubernetes) from before the kill still running after it. */
  orphans: number;
  /** Bytes in the data folders' tmp/ and in blob `.tmp` files after the restart settled (all of them, left by this trial or an earlier one). */
  tempBytes: number;
  /** Stages or releases beyond the pushes asked for. */
  duplicateBuilds: number;
  /** What went wrong, for the reader (empty when nothing did). */
  notes: string[];
}

const COLUMNS: [string, (r: TrialResult) => string][] = [
  ['trial', (r) => String(r.trial)],
  ['killed', (r) => r.moment],
  ['pushes', (r) => String(r.pushes)],
  ['lost', (r) => String(r.releasesLost)],
  ['stuck', (r) => String(r.runsStuck)],
  ['orphans', (r) => String(r.orphans)],
  ['temp B', (r) => String(r.tempBytes)],
  ['dup', (r) => String(r.duplicateBuilds)],
  ['notes', (r) => r.notes.join('; ')],
];

/** One row of the table, printed as the trial ends. */
export function formatRow(result: TrialResult): string {
  return COLUMNS.map(([, cell]) => cell(result)).join('\t');
}

/** The header line of the table. */
export function formatHeader(): string {
  return COLUMNS.map(([name]) => name).join('\t');
}

/** The totals over all trials, one line per figure. */
export function formatTotals(results: TrialResult[]): string {
  const sum = (pick: (r: TrialResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const trialsWith = (pick: (r: TrialResult) => number) => results.filter((r) => pick(r) > 0).length;
  const line = (name: string, pick: (r: TrialResult) => number) => `${name.padEnd(22)} ${String(sum(pick)).padStart(8)}   (in ${trialsWith(pick)} of ${results.length} trials)`;
  return [
    `pushes requested       ${String(sum((r) => r.pushes)).padStart(8)}`,
    line('releases lost', (r) => r.releasesLost),
    line('runs stuck', (r) => r.runsStuck),
    line('orphans', (r) => r.orphans),
    `leftover temp bytes    ${String(results.at(-1)?.tempBytes ?? 0).padStart(8)}   at the end (most ${Math.max(0, ...results.map((r) => r.tempBytes))}; non-zero after ${trialsWith((r) => r.tempBytes)} of ${results.length} trials)`,
    line('duplicate builds', (r) => r.duplicateBuilds),
  ].join('\n');
}

/** A seeded random source (mulberry32), so a run can be repeated with `--seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `check` every 50 ms until it is true or `timeoutMs` passed; says which. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
