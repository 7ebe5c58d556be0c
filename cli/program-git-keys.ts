/**
 * The `slipway git-keys …` commands of the program and their text output: deploy keys
 * for private repositories over SSH and the host keys Slipway trusts. Split from
 * program.ts to keep files small.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { GitKey, KnownHost } from '../core/ports/git-keys.ts';
import { gitKeysAdd, gitKeysHosts, gitKeysList, gitKeysRemove, gitKeysTrust, type TrustResult } from './commands/git-keys.ts';
import type { GlobalOptions, ProgramContext } from './program.ts';
import { table } from './render-text.ts';

/** Where the public key goes, by provider, for the message after `add`. */
function whereToPaste(host: string): string {
  if (/(^|\.)github\.com$/.test(host)) return 'GitHub: the repository\'s Settings → Deploy keys → Add deploy key; leave "Allow write access" off.';
  if (/(^|\.)gitlab\.com$/.test(host)) return 'GitLab: the project\'s Settings → Repository → Deploy keys; leave "Grant write permissions" off.';
  if (/(^|\.)bitbucket\.org$/.test(host)) return 'Bitbucket: the repository\'s Repository settings → Access keys → Add key (read-only).';
  return 'Your git server: add it as a read-only deploy key of the repository (Gitea/Forgejo: Settings → Deploy Keys), or to the authorized_keys of the git user.';
}

/** Text after `git-keys add`. */
export function gitKeyAddText(key: GitKey): string {
  return [
    `Deploy key "${key.name}" for ${key.host} (${key.type}, ${key.fingerprint}).`,
    '',
    'Public key — paste it into your git provider:',
    '',
    `  ${key.publicKey}`,
    '',
    whereToPaste(key.host.replace(/:\d+$/, '')),
    `Then push with an SSH URL, e.g. slipway push --git git@${key.host.replace(/^\*\./, 'git.')}:org/repo.git,main`,
  ].join('\n');
}

/** Text of `git-keys list`. */
export function gitKeysListText(keys: GitKey[]): string {
  if (keys.length === 0) return 'No deploy keys. Add one with: slipway git-keys add github.com';
  return table(['NAME', 'HOST', 'TYPE', 'FINGERPRINT', 'CREATED'], keys.map((k) => [k.name, k.host, k.type, k.fingerprint, k.createdAt]));
}

/** Text of `git-keys hosts`. */
export function knownHostsText(hosts: KnownHost[]): string {
  return table(['HOST', 'TYPE', 'FINGERPRINT', 'SOURCE'], hosts.map((h) => [h.host, h.key.split(' ')[0]!, h.fingerprint, h.source]));
}

/** Text after `git-keys trust`. */
export function trustText(result: TrustResult): string {
  if (result.already) return `The key ${result.scanned.host} offers (${result.scanned.fingerprint}) is trusted already (${result.scanned.source ?? 'trusted'}).`;
  return `Trusted ${result.trusted.key.split(' ')[0]} ${result.trusted.fingerprint} for ${result.trusted.host}.`;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError('a port is a number from 1 to 65535');
  return port;
}

/** Adds `slipway git-keys …` to the program. */
export function addGitKeyCommands(program: Command, ctx: ProgramContext): void {
  const globals = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
  const print = (g: GlobalOptions, human: string, json: unknown) => {
    ctx.output.out(g.output === 'json' ? JSON.stringify(json, null, 2) : human);
  };
  const keys = program.command('git-keys').description('deploy keys for private git repositories over SSH, and trusted SSH host keys (administrators)');

  keys.command('add').description('store a deploy key for a git host and print its public key to paste into the provider')
    .argument('<host>', 'host the key is for: github.com, *.example.com, git.example.com:2222')
    .option('--name <name>', 'name of the key (default: from the host, e.g. github-com)')
    .option('--generate', 'generate a new ed25519 key pair (the default)')
    .option('--private-key <file>', 'import this unencrypted private key (OpenSSH or PEM) instead')
    .action(async (host: string, options: { name?: string; generate?: boolean; privateKey?: string }, cmd: Command) => {
      const g = globals(cmd);
      const key = await gitKeysAdd({ host, ...options }, { api: await ctx.api(g) });
      print(g, gitKeyAddText(key), key);
    });

  keys.command('list').description('list deploy keys: name, host, type and fingerprint (never the private key)')
    .action(async (_options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await gitKeysList({}, { api: await ctx.api(g) });
      print(g, gitKeysListText(result), result);
    });

  keys.command('remove').description('delete a deploy key').argument('<name>')
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await gitKeysRemove({ name }, { api: await ctx.api(g) });
      print(g, `Deleted deploy key ${result.deleted}. Remove it from the provider's deploy keys too.`, result);
    });

  keys.command('trust').description('trust the SSH host key of a git server: read it from the server and confirm its fingerprint, or give it with --key')
    .argument('<host>', 'host, host:port or [host]:port')
    .option('--port <port>', 'SSH port (default 22)', parsePort)
    .option('--key <line>', 'the host key, "TYPE BASE64" (as ssh-keyscan prints it); trusted without asking')
    .option('-y, --yes', 'trust the key the server offers without asking (check its fingerprint first)')
    .action(async (host: string, options: { port?: number; key?: string; yes?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const result = await gitKeysTrust({ host, ...options }, { api: await ctx.api(g), confirm: ctx.confirm, note: (text) => ctx.output.err(text) });
      print(g, trustText(result), result);
    });

  keys.command('hosts').description('list the trusted SSH host keys: built-in (GitHub, GitLab.com, Bitbucket) and added')
    .action(async (_options: unknown, cmd: Command) => {
      const g = globals(cmd);
      const result = await gitKeysHosts({}, { api: await ctx.api(g) });
      print(g, knownHostsText(result), result);
    });
}
