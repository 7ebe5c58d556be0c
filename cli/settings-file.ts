/**
 * The CLI's stored login: `config.json` in the user's config directory, written
 * atomically with mode 0600 because it holds a password (as Epinio's settings file
 * does). Environment variables and flags override what is stored.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Credentials } from './api-client.ts';
import { CliError } from './cli-error.ts';

/** What `slipway login` stores. */
export interface StoredSettings {
  url: string;
  user: string;
  password: string;
}

const settingsSchema = z.object({ url: z.string().min(1), user: z.string(), password: z.string() });

/** Default server when nothing is configured: a `slipway server` on this machine. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** `$SLIPWAY_CONFIG_DIR/config.json`, else `$XDG_CONFIG_HOME/slipway/…`, else `~/.config/slipway/…`. */
export function settingsPath(env: Record<string, string | undefined>, homedir: string): string {
  const dir = env.SLIPWAY_CONFIG_DIR || (env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'slipway') : join(homedir, '.config', 'slipway'));
  return join(dir, 'config.json');
}

/** The stored settings, or undefined when the user never logged in. */
export async function readSettings(file: string): Promise<StoredSettings | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { hint: 'check its permissions, or log in again with `slipway login URL`' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = settingsSchema.safeParse(parsed);
  if (!result.success) {
    throw new CliError(`${file} is not a valid Slipway settings file`, { hint: 'log in again with `slipway login URL --user USER --password PASSWORD`' });
  }
  return result.data;
}

/** Writes the settings atomically (temp file + rename), readable by the user only. */
export async function writeSettings(file: string, settings: StoredSettings): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(settings, null, 2)}\n`);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  // The umask can only remove bits, but be explicit: the file holds a password.
  await chmod(temp, 0o600);
  await rename(temp, file);
}

/** Credentials overrides: flags win over environment variables, which win over the file. */
export interface CredentialSources {
  flags: { url?: string; user?: string; password?: string };
  env: Record<string, string | undefined>;
  stored: StoredSettings | undefined;
}

/** `scheme://host:port/path` without a trailing slash, for comparing server URLs. */
function sameServer(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/**
 * Resolves the server URL and user from flags, environment and the stored login. The
 * stored user and password are used only for the server they were stored for (as git
 * and docker tie credentials to a host): pointing `--url`/`SLIPWAY_URL` elsewhere never
 * sends them there.
 */
export function resolveCredentials({ flags, env, stored }: CredentialSources): Credentials {
  const pick = (flag: string | undefined, name: string, saved: string | undefined) =>
    flag ?? (env[name] !== undefined && env[name] !== '' ? env[name] : undefined) ?? saved;
  const url = pick(flags.url, 'SLIPWAY_URL', stored?.url) ?? DEFAULT_URL;
  const saved = stored && sameServer(url, stored.url) ? stored : undefined;
  return {
    url,
    user: pick(flags.user, 'SLIPWAY_USER', saved?.user),
    password: pick(flags.password, 'SLIPWAY_PASSWORD', saved?.password),
  };
}
