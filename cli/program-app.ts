/**
 * The `slipway app …` commands of the program: logs, restart, releases, rollback, watch, webhook, env —
 * what acts on a deployed application. Split from program.ts to keep files small.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { appLogs } from './commands/app-logs.ts';
import { appReleases } from './commands/app-releases.ts';
import { appRestart } from './commands/app-restart.ts';
import { appRollback } from './commands/app-rollback.ts';
import { appWatch } from './commands/app-watch.ts';
import { appPreviews } from './commands/app-previews.ts';
import { appWebhook } from './commands/app-webhook.ts';
import { DEFAULT_DEPLOY_TIMEOUT_MS } from './follow-run.ts';
import { addAppEnvCommands } from './program-app-env.ts';
import { formatDuration, parseDuration } from './duration.ts';
import type { GlobalOptions, ProgramContext } from './program.ts';
import { DEFAULT_NAMESPACE } from './push-plan.ts';
import * as text from './render-text.ts';

/** `--timeout` values: `30s`, `10m`, `1h`. */
export function parseTimeout(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('a duration is a number with ms, s, m or h, e.g. 10m');
  return ms;
}

/** `--tail` and `--release` values. */
function parseCount(what: string, min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`${what} is a whole number from ${min}`);
    return Number(value);
  };
}

/** The timeout option shared by push and rollback. */
export const TIMEOUT_FLAGS = '--timeout <duration>';
/** Its help text. */
export const TIMEOUT_HELP = `how long to follow the deployment (default ${formatDuration(DEFAULT_DEPLOY_TIMEOUT_MS)})`;

/** Adds `slipway app …` to the program; returns the `app` command. */
export function addAppCommands(program: Command, ctx: ProgramContext): Command {
  const globals = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
  const print = (g: GlobalOptions, human: string, json: unknown) => {
    ctx.output.out(g.output === 'json' ? JSON.stringify(json, null, 2) : human);
  };
  const namespaceOf = (g: GlobalOptions) => g.namespace ?? DEFAULT_NAMESPACE;
  const app = program.command('app').description('logs, restart, releases, rollback, watching and environment of an application');

  app.command('logs').description('print the app\'s output (or with --staging its latest build output)').argument('<name>')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C (or, with --staging, until the build ends)')
    .option('--tail <lines>', 'start with the last N lines (default: the server\'s, 100)', parseCount('--tail', 0))
    .option('--staging', 'the build output of the latest deployment instead')
    .action(async (name: string, options: { follow?: boolean; tail?: number; staging?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const interrupt = ctx.interrupt();
      try {
        await appLogs({ namespace: namespaceOf(g), name, ...options }, {
          api: await ctx.api(g),
          signal: interrupt.signal,
          onLine: (line) => ctx.output.out(g.output === 'json' ? line.raw : text.logLineText(line.value)),
        });
      } finally {
        interrupt.dispose();
      }
    });

  app.command('restart').description('restart the app\'s instances').argument('<name>')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await appRestart({ namespace: namespaceOf(g), name }, { api: await ctx.api(g) });
      print(g, text.appRestartText(result), result);
    });

  app.command('releases').description('list the app\'s releases, newest first').argument('<name>')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await appReleases({ namespace: namespaceOf(g), name }, { api: await ctx.api(g) });
      print(g, text.appReleasesText(result, name), result);
    });

  app.command('watch').description('redeploy the app whenever its git branch moves (webhooks, and polling as a fallback)').argument('<name>')
    .option('--off', 'stop watching')
    .option('--interval <duration>', 'how often to poll the branch, e.g. 30s, 1m, 1h (default 1m)')
    .action(async (name: string, options: { off?: boolean; interval?: string }, cmd: Command) => {
      const g = globals(cmd);
      const result = await appWatch({ namespace: namespaceOf(g), name, ...options }, { api: await ctx.api(g) });
      print(g, text.appWatchText(result), result);
    });

  app.command('previews').description('pull request preview apps: --on builds every pull request as its own app (<app>-pr-<number>), --off deletes them; no flag lists them').argument('<name>')
    .option('--on', 'turn previews on (the app must be watched)')
    .option('--off', 'turn previews off and delete the open ones')
    .option('--max <count>', 'open previews at most (default 5); more pull requests are refused with a commit status', parseCount('--max', 1))
    .option('--allow-forks', 'also build pull requests from forks (without the env values marked secret)')
    .action(async (name: string, options: { on?: boolean; off?: boolean; max?: number; allowForks?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const result = await appPreviews({ namespace: namespaceOf(g), name, ...options }, { api: await ctx.api(g) });
      print(g, text.appPreviewsText(result), result);
    });

  app.command('webhook').description('print the webhook URL, the secret and setup steps for GitHub, GitLab and Gitea').argument('<name>')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await appWebhook({ namespace: namespaceOf(g), name }, { api: await ctx.api(g) });
      print(g, text.appWebhookText(result), result);
    });

  app.command('rollback').description('redeploy an earlier release without rebuilding').argument('<name>')
    .option('--release <number>', 'the release to go back to (default: the one before the current)', parseCount('--release', 1))
    .option(TIMEOUT_FLAGS, TIMEOUT_HELP, parseTimeout)
    .action(async (name: string, options: { release?: number; timeout?: number }, cmd: Command) => {
      const g = globals(cmd);
      const interrupt = ctx.interrupt();
      try {
        const result = await appRollback(
          { namespace: namespaceOf(g), name, release: options.release, timeoutMs: options.timeout },
          { api: await ctx.api(g), output: ctx.output, signal: interrupt.signal },
        );
        print(g, text.appRollbackText(result), result);
      } finally {
        interrupt.dispose();
      }
    });

  addAppEnvCommands(app, ctx);
  return app;
}
