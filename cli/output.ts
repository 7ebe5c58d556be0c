/**
 * The output sink commands write to, and the streams the entry hands the CLI. Commands
 * never touch `process.stdout` themselves, so tests capture what a user would see.
 */
import cliProgress from 'cli-progress';

/** A running progress bar; `update` takes the amount done so far. */
export interface ProgressBar {
  update(done: number): void;
  stop(): void;
}

/** Where a command writes: results to `out` (stdout), notes to `err` (stderr). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Present only when stderr is a terminal: a byte progress bar towards `total`. */
  progress?(label: string, total: number): ProgressBar;
}

/** A stream the CLI writes text to (process.stdout / process.stderr, or a test capture). */
export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What the entry hands `main`: the streams, the working directory and the home directory. */
export interface CliIo {
  stdout: TextStream;
  stderr: TextStream;
  /** Read for confirmations, and only when it is a terminal. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  cwd: string;
  homedir: string;
}

/** Formats a byte count for people: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** An {@link Output} over the given streams; the progress bar only when stderr is a TTY. */
export function createOutput(io: Pick<CliIo, 'stdout' | 'stderr'>): Output {
  const output: Output = {
    out: (text) => { io.stdout.write(text.endsWith('\n') ? text : `${text}\n`); },
    err: (text) => { io.stderr.write(text.endsWith('\n') ? text : `${text}\n`); },
  };
  if (io.stderr.isTTY) {
    output.progress = (label, total) => {
      const bar = new cliProgress.SingleBar({
        // cli-progress drives the cursor with readline, so it needs the real TTY stream.
        stream: io.stderr as NodeJS.WritableStream,
        format: `${label} {bar} {percentage}% | {done} / {size}`,
        hideCursor: true,
        clearOnComplete: false,
      }, cliProgress.Presets.shades_classic);
      bar.start(Math.max(total, 1), 0, { done: formatBytes(0), size: formatBytes(total) });
      return {
        update: (done) => bar.update(Math.min(done, Math.max(total, 1)), { done: formatBytes(done) }),
        stop: () => bar.stop(),
      };
    };
  }
  return output;
}
