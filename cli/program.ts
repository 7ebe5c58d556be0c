/**
 * The commander program: every command, its flags and help, wired to the command
 * functions and the text renderers. It holds no state; `main` hands it a context with
 * the API client factory, the output sink and the server starter.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ApiClient, Credentials } from './api-client.ts';
import { appsDelete, appsList, appsShow } from './commands/apps.ts';
import { login } from './commands/login.ts';
import { namespacesCreate, namespacesList } from './commands/namespaces.ts';
import type { Output } from './output.ts';
import { addAppCommands, parseTimeout, TIMEOUT_FLAGS, TIMEOUT_HELP } from './program-app.ts';
import { addGitKeyCommands } from './program-git-keys.ts';
import { DEFAULT_NAMESPACE } from './push-plan.ts';
import * as text from './render-text.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  output: 'text' | 'json';
  namespace?: string;
  url?: string;
  user?: string;
  password?: string;
}

/** What the program's actions need from the composition root. */
export interface ProgramContext {
  output: Output;
  cwd: string;
  env: Record<string, string | undefined>;
  settingsFile: string;
  version: string;
  /** A client for the resolved credentials (flags > env > stored login). */
  api(globals: GlobalOptions): Promise<ApiClient>;
  /** A client for exactly these credentials (login). */
  connect(credentials: Credentials): ApiClient;
  /** Starts the controller (`slipway server`). */
  runServer(options: { port?: number }): Promise<unknown>;
  /** Asks a yes/no question on the terminal; absent when stdin is not a terminal (scripts, CI). */
  confirm?: (question: string) => Promise<boolean>;
  /** Watches for Ctrl-C while a command follows something; `dispose` stops watching. */
  interrupt(): { signal: AbortSignal; dispose(): void };
}

/** `slipway push` flags as commander parses them. */
interface PushFlagValues {
  name?: string;
  path?: string;
  git?: string;
  subdir?: string;
  /** False with --no-deploy. */
  deploy: boolean;
  watch?: boolean;
  interval?: string;
  timeout?: number;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return port;
}

/** Builds the `slipway` program. Errors surface from `parseAsync` (exitOverride is set). */
export function buildProgram(ctx: ProgramContext): Command {
  const program = new Command('slipway')
    .description('git-push-to-deploy for Kubernetes, with an embedded single-machine mode')
    .version(ctx.version, '-V, --version')
    .addOption(new Option('-o, --output <format>', 'text for people, json for scripts').choices(['text', 'json']).default('text'))
    .option('-n, --namespace <namespace>', `namespace to work in (default: ${DEFAULT_NAMESPACE})`)
    .option('--url <url>', 'server URL (overrides SLIPWAY_URL and the stored login)')
    .option('--user <user>', 'user name (overrides SLIPWAY_USER and the stored login)')
    .option('--password <password>', 'password (overrides SLIPWAY_PASSWORD and the stored login)')
    // Subcommands' help lists the options every command takes (--url, --user, -n …) too.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.output.out(s.replace(/\n$/, '')), writeErr: (s) => ctx.output.err(s.replace(/\n$/, '')) });

  const globals = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
  const print = (g: GlobalOptions, human: string, json: unknown) => {
    ctx.output.out(g.output === 'json' ? JSON.stringify(json, null, 2) : human);
  };
  const namespaceOf = (g: GlobalOptions) => g.namespace ?? DEFAULT_NAMESPACE;

  program.command('server')
    .description('run the Slipway controller (API server) in this process')
    .option('-p, --port <port>', 'port to listen on (default: SLIPWAY_PORT or 8080)', parsePort)
    .action(async (options: { port?: number }) => {
      await ctx.runServer(options.port === undefined ? {} : { port: options.port });
    });

  program.command('login')
    .description('check credentials against a server and store them for later commands')
    .argument('<url>', 'server URL, e.g. http://127.0.0.1:8080')
    .action(async (url: string, _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const user = g.user ?? ctx.env.SLIPWAY_USER;
      const password = g.password ?? ctx.env.SLIPWAY_PASSWORD;
      const result = await login({ url, user, password }, { connect: ctx.connect, settingsFile: ctx.settingsFile });
      print(g, text.loginText(result), result);
    });

  program.command('push')
    .description('store source for an app (a directory or a git URL), then stage and deploy it and print its URL')
    .argument('[manifest]', 'manifest file (default: slipway.yml, else epinio.yml, in this folder)')
    .option('--name <name>', 'application name (overrides the manifest)')
    .option('--path <dir>', 'directory to push (default: the manifest\'s origin, else this folder)')
    .option('--git <url[,revision]>', 'import from git instead: URL, optionally a branch, tag or commit after a comma')
    .option('--subdir <path>', 'with --git: only this folder of the repository')
    .option('--watch', 'with --git URL,BRANCH: redeploy whenever the branch moves (webhooks, polling as a fallback)')
    .option('--interval <duration>', 'with --watch: how often to poll the branch, e.g. 30s, 1m (default 1m)')
    .option('--no-deploy', 'only store the source; do not stage and deploy it')
    .option(TIMEOUT_FLAGS, TIMEOUT_HELP, parseTimeout)
    .action(async (manifest: string | undefined, options: PushFlagValues, cmd: Command) => {
      const g = globals(cmd);
      // Loaded on use: the packer, YAML and ignore rules are not needed by `slipway server`.
      const { push, pushJson, PushFailure, pushFailureJson } = await import('./commands/push.ts');
      const interrupt = ctx.interrupt();
      try {
        const result = await push(
          { manifest, name: options.name, path: options.path, git: options.git, subdir: options.subdir, watch: options.watch, interval: options.interval, namespace: g.namespace, deploy: options.deploy, timeoutMs: options.timeout },
          // Build output goes to stderr for people only; scripts get the JSON result.
          { api: await ctx.api(g), output: ctx.output, cwd: ctx.cwd, showLogs: g.output !== 'json', signal: interrupt.signal },
        );
        print(g, text.pushText(result), pushJson(result));
      } catch (error) {
        // The source is stored and a run may go on: stdout says so too, not only stderr.
        if (error instanceof PushFailure) print(g, text.pushFailedText(error), pushFailureJson(error));
        throw error;
      } finally {
        interrupt.dispose();
      }
    });

  /** `list`, `show` and `delete` under `parent`: `slipway apps …`, and `slipway app …` as Epinio's CLI spells them. */
  const addListShowDelete = (parent: Command, see = '') => {
    parent.command('list').description(`list the applications of the namespace${see}`)
      .action(async (_options: unknown, cmd: Command) => {
        const g = globals(cmd);
        const result = await appsList({ namespace: namespaceOf(g) }, { api: await ctx.api(g) });
        print(g, text.appsListText(result, namespaceOf(g)), result);
      });
    parent.command('show').description(`show one application${see}`).argument('<name>')
      .action(async (name: string, _options: unknown, cmd: Command) => {
        const g = globals(cmd);
        const result = await appsShow({ namespace: namespaceOf(g), name }, { api: await ctx.api(g) });
        print(g, text.appShowText(result), result);
      });
    parent.command('delete').description(`delete an application${see}`).argument('<name>')
      .action(async (name: string, _options: unknown, cmd: Command) => {
        const g = globals(cmd);
        const result = await appsDelete({ namespace: namespaceOf(g), name }, { api: await ctx.api(g) });
        print(g, text.appDeleteText(result), result);
      });
  };
  addListShowDelete(program.command('apps').description('list, show and delete applications'));

  const app = addAppCommands(program, ctx);
  addListShowDelete(app, ' (the same as `slipway apps …`)');

  const namespaces = program.command('namespaces').alias('ns').description('list and create namespaces');
  namespaces.command('list').description('list namespaces and their applications')
    .action(async (_options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await namespacesList({}, { api: await ctx.api(g) });
      print(g, text.namespacesListText(result), result);
    });
  namespaces.command('create').description('create a namespace').argument('<name>')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await namespacesCreate({ name }, { api: await ctx.api(g) });
      print(g, text.namespaceCreateText(result), result);
    });

  addGitKeyCommands(program, ctx);

  return program;
}
