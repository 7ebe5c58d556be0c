/**
 * `slipway login URL`: checks the credentials against `GET /api/v1/info` and stores
 * them in the user's config file (0600) for later commands. The password is never
 * printed or returned.
 */
import { checkedBase, type ApiClient, type Credentials } from '../api-client.ts';
import { CliError, usageError } from '../cli-error.ts';
import { writeSettings } from '../settings-file.ts';

/** `slipway login` options. */
export interface LoginOptions {
  url: string;
  user?: string;
  password?: string;
}

/** What login needs: a client factory for the URL being tried, and where to store. */
export interface LoginDeps {
  connect(credentials: Credentials): ApiClient;
  /** The settings file (see `settingsPath`). */
  settingsFile: string;
}

/** What login did; no password in it. */
export interface LoginResult {
  url: string;
  user: string;
  settingsFile: string;
  version: string;
  runtime: string;
}

/** Runs `slipway login`. */
export async function login(options: LoginOptions, deps: LoginDeps): Promise<LoginResult> {
  const url = checkedBase(options.url);
  if (!options.user || options.password === undefined || options.password === '') {
    throw usageError('login needs a user and a password', 'pass --user and --password, or set SLIPWAY_USER and SLIPWAY_PASSWORD');
  }
  const api = deps.connect({ url, user: options.user, password: options.password });
  let info;
  try {
    info = await api.info();
  } catch (error) {
    if (error instanceof CliError && error.status === 401) {
      throw new CliError(`${url} refused user "${options.user}": wrong user name or password`, {
        code: error.code, status: 401, hint: 'check the credentials; `slipway server` prints the admin password when it first starts',
      });
    }
    throw error;
  }
  await writeSettings(deps.settingsFile, { url, user: options.user, password: options.password });
  return { url, user: options.user, settingsFile: deps.settingsFile, version: info.version, runtime: info.runtime };
}
