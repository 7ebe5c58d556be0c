/**
 * API users: a JSON file of `{ users: [{ username, passwordHash, namespaces }] }` with
 * scrypt hashes. On the embedded default the file is created at first start with an
 * `admin` user (see {@link bootstrapUsers}).
 */
import { readFile } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SlipwayError } from '../../core/errors.ts';
import { writeFileAtomic } from '../adapters/state/atomic-write.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';

/** One API user. `namespaces: ['*']` grants every namespace. */
export interface User {
  username: string;
  passwordHash: string;
  namespaces: string[];
}

const fileSchema = z.object({
  users: z.array(z.object({
    username: z.string().min(1),
    passwordHash: z.string().startsWith('scrypt$'),
    namespaces: z.array(z.string()).default(['*']),
  })),
});

/** Checks BasicAuth credentials. */
export interface Authenticator {
  /** The user when the credentials are right, else undefined (never says which part was wrong). */
  authenticate(username: string, password: string): Promise<User | undefined>;
  /** The user of that name, for checking what a signed token claims (Epinio's WebSocket tokens). */
  find?(username: string): User | undefined;
}

/** Reads the users file; a missing file is an empty list. */
export async function loadUsers(path: string): Promise<User[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Users cannot be guessed back, and a fresh admin would lock everyone else out: refuse, naming the file.
    throw new SlipwayError('invalid_config',
      `users file ${path} is not valid JSON (${(error as Error).message}); restore it from a backup, or move it away to start with a new admin user (its password is printed at the next start)`,
      { status: 500, expose: true });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SlipwayError('invalid_config', `users file ${path} is malformed: ${parsed.error.issues[0]?.message}`, { status: 500 });
  }
  return parsed.data.users;
}

/**
 * Ensures an `admin` user exists. Its password is `adminPassword` when given (which
 * then always wins, so rotating it is a restart), else generated once and kept in
 * `passwordFile` (mode 0600). Returns the generated password when one was just made,
 * so the caller can print it once.
 */
export async function bootstrapUsers(usersFile: string, passwordFile: string, adminPassword?: string): Promise<{ generated?: string }> {
  const users = await loadUsers(usersFile);
  const admin = users.find((u) => u.username === 'admin');
  if (admin && (!adminPassword || (await verifyPassword(adminPassword, admin.passwordHash)))) return {};
  const generated = adminPassword ? undefined : randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(adminPassword ?? generated!);
  const next = [...users.filter((u) => u.username !== 'admin'), { username: 'admin', passwordHash, namespaces: ['*'] }];
  if (generated) await writeFileAtomic(passwordFile, `${generated}\n`, 0o600);
  await writeFileAtomic(usersFile, JSON.stringify({ users: next }, null, 2), 0o600);
  return { generated };
}

/**
 * An authenticator over a user list. scrypt costs ~50 ms by design, so a successful
 * check is remembered for a few minutes, keyed by a SHA-256 of the credentials (the
 * password itself is never kept). Unknown users still cost one scrypt, so timing does
 * not tell which usernames exist.
 */
export function createAuthenticator(users: User[], ttlMs = 5 * 60_000, now = () => Date.now()): Authenticator {
  const byName = new Map(users.map((u) => [u.username, u]));
  const remembered = new Map<string, { user: User; until: number }>();
  // Made on the first unknown user, not at start-up: scrypt takes 16 MiB while it runs.
  let dummyHash: Promise<string> | undefined;
  return {
    async authenticate(username, password) {
      const key = createHash('sha256').update(`${username}\0${password}`).digest('base64');
      const hit = remembered.get(key);
      if (hit && hit.until > now()) return hit.user;
      const user = byName.get(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await (dummyHash ??= hashPassword(randomBytes(16).toString('hex')))));
      if (!user || !ok) return undefined;
      if (remembered.size >= 1000) remembered.clear();
      remembered.set(key, { user, until: now() + ttlMs });
      return user;
    },
    find: (username) => byName.get(username),
  };
}
