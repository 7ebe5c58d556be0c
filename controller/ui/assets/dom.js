// DOM helpers of the dashboard: elements built with DOM calls (never innerHTML, so data
// cannot become markup) and the small formatters every page shares.

/** Creates an element: `el('a', {href}, 'text', child)`. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === false || value === null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  return node;
}

export const short = (sha) => (sha ? sha.slice(0, 7) : '');
export function when(iso) {
  if (!iso) return '—';
  return el('time', { datetime: iso, title: iso }, new Date(iso).toLocaleString());
}
/** The phase a user cares about: the run's while one is under way or failed, else the instances'. */
export function phaseOf(app) {
  const run = app.status.run;
  if (run && (run.phase !== 'succeeded' || !app.status.runtime)) return run.phase;
  return app.status.runtime?.phase ?? run?.phase ?? 'new';
}
/**
 * When the app last changed what it serves: its newest successful run, else its release's
 * build. A list item says so in `status.lastDeployedAt` (it has no `runs`, ADR 0007); the
 * app's own GET has the runs.
 */
export const lastDeploy = (app) => app.status.lastDeployedAt ?? (app.status.runs ?? []).find((r) => r.phase === 'succeeded')?.finishedAt ?? app.status.release?.createdAt;
export const phaseCell = (phase) => el('span', { class: `phase-${phase}` }, phase);
export const urlLinks = (urls) => (urls?.length ? urls.map((url, i) => [i ? ' ' : '', el('a', { href: url, rel: 'noopener' }, url)]) : '—');
export const revision = (r) => (r?.revision ? [el('code', {}, short(r.revision)), r.branch ? ` (${r.branch})` : ''] : r?.branch ?? '—');
