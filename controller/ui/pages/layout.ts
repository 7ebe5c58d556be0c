/**
 * The frame of every signed-in page: header with the namespace switcher and sign-out,
 * an alert region where errors appear (code and message), the page's main content,
 * and the one script. The CSRF token rides in a meta tag for the script to send.
 */
import { html, type Html } from '../html.ts';

/** Who is signed in and what the header offers. */
export interface PageFrame {
  title: string;
  username: string;
  csrf: string;
  namespaces: string[];
  /** The namespace the page is about. */
  namespace?: string;
  runtime: string;
  /** `data-page` of `<main>`: which part of the script runs. */
  page: string;
  data?: Record<string, string>;
}

/** A full signed-in page around `content`. */
export function layout(frame: PageFrame, content: Html): Html {
  const data = Object.entries(frame.data ?? {}).map(([key, value]) => html` data-${key}="${value}"`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${frame.csrf}">
<title>${frame.title} · Slipway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/ui.css">
<script type="module" src="/ui/assets/ui.js"></script>
</head>
<body>
<header class="top">
<a class="brand" href="/ui/">Slipway</a>
<nav aria-label="Main"><a href="/ui/${frame.namespace ? `?ns=${encodeURIComponent(frame.namespace)}` : ''}">Apps</a> <a href="/ui/new${frame.namespace ? `?ns=${encodeURIComponent(frame.namespace)}` : ''}">New app</a></nav>
<form class="ns-switch" method="get" action="/ui/">
<label for="ns-select">Namespace</label>
<select id="ns-select" name="ns">${frame.namespaces.map((ns) => html`<option value="${ns}"${ns === frame.namespace ? html` selected` : ''}>${ns}</option>`)}</select>
<button type="submit">Switch</button>
</form>
<form class="signout" method="post" action="/ui/logout">
<span class="who">${frame.username}</span>
<input type="hidden" name="csrf" value="${frame.csrf}">
<button type="submit">Sign out</button>
</form>
</header>
<div id="errors" class="errors" role="alert" aria-live="assertive"></div>
<main id="main" data-page="${frame.page}" data-runtime="${frame.runtime}"${data}>
${content}
</main>
</body>
</html>
`;
}

/** A page with only a message: errors of the pages themselves (403, 404) show their code and message. */
export function messagePage(title: string, code: string, message: string): Html {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title} · Slipway</title><link rel="stylesheet" href="/ui/assets/ui.css"></head>
<body><main id="main" class="narrow"><h1>${title}</h1><p class="error"><code>${code}</code>: ${message}</p><p><a href="/ui/">Back to the apps</a></p></main></body>
</html>
`;
}
