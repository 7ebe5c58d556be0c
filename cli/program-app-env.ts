/**
 * `slipway app env set|unset|list`: an app's environment variables. Split from
 * program-app.ts to keep files small.
 */
import type { Command } from 'commander';
import { appEnvList, appEnvSet, appEnvUnset } from './commands/app-env.ts';
import type { GlobalOptions, ProgramContext } from './program.ts';
import { DEFAULT_NAMESPACE } from './push-plan.ts';
import * as text from './render-text.ts';

/** Adds `env …` under the `app` command. */
export function addAppEnvCommands(app: Command, ctx: ProgramContext): void {
  const globals = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
  const print = (g: GlobalOptions, human: string, json: unknown) => {
    ctx.output.out(g.output === 'json' ? JSON.stringify(json, null, 2) : human);
  };
  const namespaceOf = (g: GlobalOptions) => g.namespace ?? DEFAULT_NAMESPACE;
  const env = app.command('env').description('set, unset and list the app\'s environment variables (they take effect at the next deploy)');

  env.command('set').description('set variables (KEY=VALUE; the value may hold "=")').argument('<name>').argument('<assignments...>', 'KEY=VALUE pairs')
    .option('--secret', 'mark them secret: previews of pull requests from forks do not get them')
    .action(async (name: string, assignments: string[], options: { secret?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const result = await appEnvSet({ namespace: namespaceOf(g), name, assignments, secret: options.secret }, { api: await ctx.api(g) });
      print(g, text.appEnvChangeText(result, 'set'), result);
    });

  env.command('unset').description('remove variables').argument('<name>').argument('<keys...>', 'variable names')
    .action(async (name: string, keys: string[], _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await appEnvUnset({ namespace: namespaceOf(g), name, keys }, { api: await ctx.api(g) });
      print(g, text.appEnvChangeText(result, 'unset'), result);
    });

  env.command('list').description('list the variables; values are hidden unless --reveal').argument('<name>')
    .option('--reveal', 'show the values')
    .action(async (name: string, options: { reveal?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const result = await appEnvList({ namespace: namespaceOf(g), name, reveal: options.reveal }, { api: await ctx.api(g) });
      print(g, text.appEnvListText(result), result);
    });
}
