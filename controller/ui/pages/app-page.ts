/**
 * One app: overview, the current run's phases, the build log and the app's log as they
 * happen, runs, releases, instances, environment, routes, watching and webhooks, and
 * deletion. The server draws the sections and forms; the script fills them from the
 * JSON API and sends every change through it.
 */
import { html, type Html } from '../html.ts';

/** The app page's content. */
export function appContent(app: string): Html {
  return html`<h1>${app}</h1>
<section aria-labelledby="h-overview"><h2 id="h-overview">Overview</h2><dl id="overview" class="facts"><dt>Phase</dt><dd>Loading…</dd></dl></section>
<section aria-labelledby="h-run"><h2 id="h-run">Current run</h2>
<p><button type="button" id="deploy-now">Deploy now</button> <span class="hint">Builds and deploys the app's source again (a git app: its branch or revision as it is now).</span></p>
<ol id="run-phases" class="phases" aria-label="Phases of the current run"></ol>
<div id="run-error"></div></section>
<section aria-labelledby="h-build"><h2 id="h-build">Build log</h2><pre id="build-log" class="log" tabindex="0" aria-label="Build log" data-empty="No build output yet."></pre></section>
<section aria-labelledby="h-logs"><h2 id="h-logs">Application log</h2>
<p><button type="button" id="logs-toggle" aria-pressed="true">Pause</button> <span id="logs-state">Following</span></p>
<pre id="app-log" class="log" tabindex="0" aria-label="Application log" data-empty="No output yet (the app runs once a release is deployed)."></pre></section>
<section aria-labelledby="h-runs"><h2 id="h-runs">Runs</h2>
<table><thead><tr><th scope="col">Run</th><th scope="col">Kind</th><th scope="col">Phase</th><th scope="col">Revision</th><th scope="col">Release</th><th scope="col">Started</th><th scope="col">Finished</th><th scope="col">Error</th></tr></thead><tbody id="runs"></tbody></table></section>
<section aria-labelledby="h-releases"><h2 id="h-releases">Releases</h2>
<table><thead><tr><th scope="col">Release</th><th scope="col">Revision</th><th scope="col">Created</th><th scope="col">Action</th></tr></thead><tbody id="releases"></tbody></table></section>
<section aria-labelledby="h-instances"><h2 id="h-instances">Instances</h2>
<p id="instances-state"></p>
<form id="instances-form" class="inline"><label for="instances">Instances</label><input id="instances" name="instances" type="number" min="0" max="100" required><button type="submit">Scale</button></form></section>
<section aria-labelledby="h-env"><h2 id="h-env">Environment</h2>
<p class="hint">Values are hidden until revealed. A change redeploys the serving release.</p>
<table><thead><tr><th scope="col">Name</th><th scope="col">Value</th><th scope="col">Actions</th></tr></thead><tbody id="env"></tbody></table>
<form id="env-add" class="inline"><label for="env-key">Name</label><input id="env-key" name="key" required><label for="env-value">Value</label><input id="env-value" name="value" autocomplete="off"><button type="submit">Add</button></form></section>
<section aria-labelledby="h-routes"><h2 id="h-routes">Routes</h2>
<ul id="routes"></ul>
<form id="routes-form" class="stack"><label for="routes-input">Routes, one per line (empty: the default route)</label><textarea id="routes-input" name="routes" rows="3"></textarea><button type="submit">Save routes</button></form></section>
<section aria-labelledby="h-watch"><h2 id="h-watch">Watching</h2>
<p id="watch-state"></p>
<form id="watch-form" class="inline"><div class="check"><input id="watch-on" name="watch" type="checkbox"><label for="watch-on">Watch the branch</label></div><label for="watch-interval">Interval</label><input id="watch-interval" name="interval" placeholder="1m"><button type="submit">Save watching</button></form>
<p><button type="button" id="webhook-show">Show webhook set-up</button></p>
<div id="webhook"></div></section>
<section aria-labelledby="h-delete" class="danger"><h2 id="h-delete">Delete</h2>
<form id="delete-form" class="inline"><label for="delete-confirm">Type <strong>${app}</strong> to confirm</label><input id="delete-confirm" name="confirm" autocomplete="off"><button type="submit" id="delete-button" disabled>Delete app</button></form></section>
`;
}
