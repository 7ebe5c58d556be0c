/**
 * A new app from a git URL and revision (subdir and watch optional). The script creates
 * it (`POST …/applications`), starts a deployment (`POST …/deployments`) and opens the
 * app's page, which shows the run's progress.
 */
import { html, type Html } from '../html.ts';

/** The new-app form. */
export function newAppContent(namespaces: string[], namespace: string | undefined): Html {
  return html`<h1>New app from git</h1>
<form id="new-app" class="stack" novalidate>
<label for="new-ns">Namespace</label>
<select id="new-ns" name="namespace">${namespaces.map((ns) => html`<option${ns === namespace ? html` selected` : ''}>${ns}</option>`)}</select>
<label for="new-name">Name</label>
<input id="new-name" name="name" required pattern="[a-z0-9]([-a-z0-9]*[a-z0-9])?" aria-describedby="new-name-hint">
<small id="new-name-hint">Lower-case letters, digits and "-".</small>
<label for="new-url">Git URL</label>
<input id="new-url" name="url" type="url" required placeholder="https://github.com/you/app.git">
<label for="new-revision">Revision</label>
<input id="new-revision" name="revision" placeholder="main" aria-describedby="new-revision-hint">
<small id="new-revision-hint">A branch, tag or commit; empty for the default branch.</small>
<label for="new-subdir">Subdirectory</label>
<input id="new-subdir" name="subdir" placeholder="(the whole repository)">
<div class="check"><input id="new-watch" name="watch" type="checkbox"><label for="new-watch">Watch the branch and redeploy on new commits</label></div>
<label for="new-interval">Polling interval</label>
<input id="new-interval" name="interval" placeholder="1m">
<button type="submit">Create and deploy</button>
</form>
<noscript><p>Creating an app needs JavaScript.</p></noscript>
`;
}
