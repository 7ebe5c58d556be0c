/**
 * The apps of one namespace. The table is filled and kept current by the script from
 * `GET /api/v1/namespaces/:ns/applications`, so the list a user sees is the API's.
 */
import { html, type Html } from '../html.ts';

/** The app list's content. */
export function appListContent(namespace: string | undefined): Html {
  if (!namespace) return html`<h1>Apps</h1><p>You have no namespace yet; ask an administrator to grant you one.</p>`;
  return html`<h1>Apps in <span class="ns">${namespace}</span></h1>
<p><a class="button" href="/ui/new?ns=${encodeURIComponent(namespace)}">New app from git</a></p>
<table class="apps" id="apps">
<caption class="sr-only">Applications in namespace ${namespace}, updated live</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Release</th><th scope="col">Revision</th><th scope="col">URL</th><th scope="col">Watched</th><th scope="col">Last deploy</th></tr></thead>
<tbody id="apps-body"><tr><td colspan="7">Loading…</td></tr></tbody>
</table>
<noscript><p>The list needs JavaScript to load from the API.</p></noscript>
`;
}
