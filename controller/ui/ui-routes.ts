/**
 * The dashboard under `/ui/` on the API's port: sign-in and sign-out, the pages
 * (server-drawn frames the script fills from the JSON API), and the two static assets.
 * Every page checks the session and the same namespace rules as the API
 * (namespace-access.ts); a page a user may not see answers 403 with Slipway's code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { createHash } from 'node:crypto';
import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { StateStore } from '../../core/ports/state-store.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { redact } from '../../core/redact.ts';
import type { Authenticator, User } from '../auth/user-store.ts';
import { forbidden, mayAccess } from '../api/namespace-access.ts';
import { parseJsonOrForm } from '../api/parse-body.ts';
import { toProblem } from '../api/problem-middleware.ts';
import { requireApp } from '../pipeline/lookup.ts';
import type { UiSession, UiSessions } from './ui-session.ts';
import { assertSameOrigin, isHttps, readCookie, sessionCookie, sessionCookieName } from './request-origin.ts';
import { csrfRefused } from './ui-errors.ts';
import type { Html } from './html.ts';
import { layout, messagePage } from './pages/layout.ts';
import { loginPage } from './pages/login-page.ts';
import { appListContent } from './pages/app-list-page.ts';
import { newAppContent } from './pages/new-app-page.ts';
import { appContent } from './pages/app-page.ts';

/** What the dashboard needs. */
export interface UiDeps {
  store: StateStore;
  auth: Authenticator;
  sessions: UiSessions;
  publicUrl: () => string;
  runtime: string;
  logger: Logger;
}

const DEFAULT_NAMESPACE = 'workspace';
/** Script modules and styles, read once: they ship as they are (no build step). */
const ASSET_DIR = new URL('./assets/', import.meta.url);
const TYPES: Record<string, string> = { js: 'text/javascript', css: 'text/css' };
const ASSETS: Record<string, { type: string; body: string; etag: string }> = Object.fromEntries(
  readdirSync(ASSET_DIR).filter((name) => TYPES[extname(name).slice(1)]).map((name) => {
    const body = readFileSync(new URL(name, ASSET_DIR), 'utf8');
    return [name, { type: `${TYPES[extname(name).slice(1)]}; charset=utf-8`, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }];
  }),
);

/** Headers of every dashboard answer: no framing, no inline script, no caching of pages with tokens. */
function secure(ctx: Context): void {
  ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
}

function send(ctx: Context, page: Html, status = 200): void {
  secure(ctx);
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = page.markup;
}

/** Only paths of the dashboard are places to go after sign-in (no open redirect). */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/ui\/[^/\\]*/.test(next) && !next.startsWith('/ui//') ? next : '/ui/');

/** The dashboard's router; mount it before the API's authentication. */
export function createUiRouter(deps: UiDeps): Router {
  // Strict: `/ui` (redirected) and `/ui/` (the list) are different paths.
  const router = new Router({ sensitive: true, strict: true });
  const form = parseJsonOrForm(16 * 1024);
  const sessionOf = (ctx: Context) => deps.sessions.verify(readCookie(ctx.get('cookie'), sessionCookieName(ctx, deps.publicUrl())));
  const namespacesOf = async (user: User) => (await deps.store.listNamespaces()).map((ns) => ns.name).filter((ns) => mayAccess(user, ns));

  /** Runs a page for a signed-in user; others go to sign-in, errors become a page with their code. */
  const page = (draw: (ctx: Context, session: UiSession, namespaces: string[]) => Promise<Html>) => async (ctx: Context) => {
    const session = sessionOf(ctx);
    if (!session) {
      ctx.redirect(`/ui/login?next=${encodeURIComponent(ctx.originalUrl)}`);
      return;
    }
    try {
      send(ctx, await draw(ctx, session, await namespacesOf(session.user)));
    } catch (error) {
      // As the API's problem middleware does: a page's own failure goes to the log, a refusal is the user's business.
      const problem = toProblem(error);
      if (problem.status >= 500) deps.logger.error({ status: problem.status, code: problem.code, path: ctx.path, err: redact(String((error as Error)?.stack ?? error)) }, 'dashboard page failed');
      else if (problem.status === 403) deps.logger.info({ status: 403, code: problem.code, path: ctx.path }, problem.detail);
      send(ctx, messagePage(problem.title, problem.code, problem.detail), problem.status);
    }
  };
  const frame = (session: UiSession, namespaces: string[], title: string, pageName: string, namespace?: string, data?: Record<string, string>) => ({
    title, username: session.user.username, csrf: deps.sessions.csrfToken(session), namespaces, namespace, runtime: deps.runtime, page: pageName, data,
  });
  /** The namespace asked for (refused with the API's 403 when not the user's), else the default or the first one. */
  const pickNamespace = (user: User, namespaces: string[], asked: unknown) => {
    if (typeof asked === 'string' && asked !== '') {
      if (!mayAccess(user, asked)) throw forbidden(user.username, `access namespace "${asked}"`);
      return asked;
    }
    return namespaces.includes(DEFAULT_NAMESPACE) ? DEFAULT_NAMESPACE : namespaces[0];
  };

  router.get('/ui', (ctx) => ctx.redirect('/ui/'));
  router.get('/ui/login', (ctx) => {
    if (sessionOf(ctx)) return ctx.redirect(safeNext(ctx.query.next));
    send(ctx, loginPage(safeNext(ctx.query.next)));
  });
  router.post('/ui/login', form, async (ctx) => {
    const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
    const next = safeNext(body.next);
    try {
      assertSameOrigin(ctx, deps.publicUrl());
    } catch (error) {
      const problem = toProblem(error);
      return send(ctx, loginPage(next, { code: problem.code, message: problem.detail }), problem.status);
    }
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const user = username && password ? await deps.auth.authenticate(username, password) : undefined;
    if (!user) {
      deps.logger.info({ status: 401, code: 'unauthorized', path: ctx.path }, 'dashboard sign-in refused');
      return send(ctx, loginPage(next, { code: 'unauthorized', message: 'wrong username or password' }), 401);
    }
    const { token, maxAgeSeconds } = deps.sessions.issue(user);
    ctx.append('Set-Cookie', sessionCookie(sessionCookieName(ctx, deps.publicUrl()), token, maxAgeSeconds, isHttps(ctx, deps.publicUrl())));
    ctx.status = 303;
    ctx.redirect(next);
  });
  router.post('/ui/logout', form, async (ctx) => {
    const session = sessionOf(ctx);
    if (session) {
      assertSameOrigin(ctx, deps.publicUrl());
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const given = typeof body.csrf === 'string' ? body.csrf : ctx.get('x-csrf-token');
      if (!deps.sessions.csrfMatches(session, given)) throw csrfRefused();
      deps.sessions.revoke(session);
    }
    ctx.append('Set-Cookie', sessionCookie(sessionCookieName(ctx, deps.publicUrl()), '', 0, isHttps(ctx, deps.publicUrl())));
    ctx.status = 303;
    ctx.redirect('/ui/login');
  });
  router.get('/ui/assets/:name', (ctx) => {
    const asset = Object.hasOwn(ASSETS, ctx.params.name!) ? ASSETS[ctx.params.name!] : undefined;
    if (!asset) return;
    secure(ctx);
    ctx.set('ETag', asset.etag);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = asset.type;
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  });
  router.get('/ui/', page(async (ctx, session, namespaces) => {
    const namespace = pickNamespace(session.user, namespaces, ctx.query.ns);
    return layout(frame(session, namespaces, `Apps${namespace ? ` in ${namespace}` : ''}`, 'apps', namespace, namespace ? { ns: namespace } : {}), appListContent(namespace));
  }));
  router.get('/ui/new', page(async (ctx, session, namespaces) => {
    const namespace = pickNamespace(session.user, namespaces, ctx.query.ns);
    return layout(frame(session, namespaces, 'New app', 'new', namespace), newAppContent(namespaces, namespace));
  }));
  router.get('/ui/namespaces/:ns/applications/:app', page(async (ctx, session, namespaces) => {
    const namespace = pickNamespace(session.user, namespaces, ctx.params.ns);
    const app = await requireApp(deps.store, namespace!, ctx.params.app!);
    return layout(frame(session, namespaces, app.metadata.name, 'app', namespace, { ns: namespace!, app: app.metadata.name }), appContent(app.metadata.name));
  }));
  return router;
}
