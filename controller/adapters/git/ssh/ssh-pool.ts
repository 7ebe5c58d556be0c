/**
 * SSH connections kept for a short while after an operation, per user, host and port, so
 * the checks of one poll round (many apps on one git host, each a ref listing) share a
 * connection instead of paying a key exchange and authentication each (issue 17). A
 * connection is handed to one operation at a time — git runs one channel after
 * another — and closed after `idleMs` without use, or at once when it fails. Deploy
 * keys and host keys are checked when a connection is made: a key removed or a host
 * key untrusted meanwhile takes effect within `idleMs`.
 */
import type { Client } from 'ssh2';

/** A connection lent to one operation; `release` gives it back (or closes it when `reusable` is false). */
export interface Lease {
  client: Client;
  release(reusable: boolean): void;
}

/** Options of {@link createSshPool}. */
export interface SshPoolOptions {
  /** How long an unused connection is kept (default 10 s). */
  idleMs?: number;
}

interface Idle {
  client: Client;
  timer: NodeJS.Timeout;
  /** Drops the entry when the server closes the kept connection; removed when it is lent again. */
  onGone: () => void;
}

/** Creates the pool; `acquire(key, connect)` reuses an idle connection for `key` or makes one. */
export function createSshPool(options: SshPoolOptions = {}) {
  const idleMs = options.idleMs ?? 10_000;
  const idle = new Map<string, Idle[]>();

  const forget = (key: string, entry: Idle) => {
    const list = idle.get(key)?.filter((e) => e !== entry) ?? [];
    if (list.length) idle.set(key, list);
    else idle.delete(key);
  };

  return {
    async acquire(key: string, connect: () => Promise<Client>): Promise<Lease> {
      const entry = idle.get(key)?.pop();
      let client: Client;
      if (entry) {
        clearTimeout(entry.timer);
        forget(key, entry);
        entry.client.off('close', entry.onGone);
        entry.client.off('error', entry.onGone);
        client = entry.client;
      } else {
        client = await connect();
      }
      let broken = false;
      const onBroken = () => { broken = true; };
      client.once('error', onBroken);
      client.once('close', onBroken);
      return {
        client,
        release(reusable) {
          client.off('error', onBroken);
          client.off('close', onBroken);
          if (!reusable || broken) {
            client.end();
            return;
          }
          const kept: Idle = {
            client,
            timer: setTimeout(() => { forget(key, kept); client.end(); }, idleMs),
            // A kept connection that the server closes is dropped (and never lent again).
            onGone: () => { clearTimeout(kept.timer); forget(key, kept); },
          };
          kept.timer.unref();
          client.once('close', kept.onGone);
          client.once('error', kept.onGone);
          idle.set(key, [...(idle.get(key) ?? []), kept]);
        },
      };
    },
    /** Connections kept now (tests). */
    idleCount: () => [...idle.values()].reduce((n, list) => n + list.length, 0),
    /** Closes every kept connection. */
    close() {
      for (const list of idle.values()) for (const entry of list) { clearTimeout(entry.timer); entry.client.end(); }
      idle.clear();
    },
  };
}

/** The pool's type. */
export type SshPool = ReturnType<typeof createSshPool>;
