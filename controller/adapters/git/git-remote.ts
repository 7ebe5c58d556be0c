/**
 * A git remote as one operation (a resolve or an archive) sees it: the guarded
 * transport, headers, deadline and the caps every stage of the protocol is held to.
 */
import type { Logger } from '../../../core/ports/logger.ts';
import type { GitHttpClient } from './guarded-http.ts';

/** A remote as seen by one operation. */
export interface Remote {
  http: GitHttpClient;
  /** Repository URL, no trailing slash. */
  url: string;
  /** The URL with credentials redacted, for messages. */
  display: string;
  /** Authorization header for our requests, when credentials apply. */
  headers: Record<string, string>;
  /** The operation's deadline (and the caller's abort). */
  signal: AbortSignal;
  /** Largest object the pack reader may inflate (see indexPack). */
  maxObjectBytes: number;
  /** Cap on one ref advertisement or ls-refs answer (SLIPWAY_GIT_REFS_MAX_BYTES). */
  maxRefsBytes: number;
  logger?: Logger;
}

/** The user agent of every request (servers log it; git's own says `git/<version>`). */
export const USER_AGENT = 'git/slipway';
