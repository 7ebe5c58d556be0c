/**
 * The sign-in form: `username`, `password`, a submit button. Works without JavaScript
 * (a plain form POST); a refused sign-in shows Slipway's code and message.
 */
import { html, type Html } from '../html.ts';

/** The sign-in page; `next` is where to go afterwards (a /ui/ path). */
export function loginPage(next: string, error?: { code: string; message: string }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Slipway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/assets/ui.css">
</head>
<body>
<main id="main" class="narrow">
<h1>Sign in to Slipway</h1>
${error ? html`<p class="error" role="alert"><code>${error.code}</code>: ${error.message}</p>` : ''}
<form method="post" action="/ui/login" class="login">
<input type="hidden" name="next" value="${next}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">The same users as the API and the CLI.</p>
</main>
</body>
</html>
`;
}
