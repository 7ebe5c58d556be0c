/**
 * Human output of each command's result (the default; `--output json` prints the
 * result itself). Kept apart from the commands so they only return data.
 */
import { groupPreviews } from '../core/group-previews.ts';
import type { App, Namespace, Run } from '../core/types.ts';
import type { AppSummary } from '../core/app-summary.ts';
import { redactUrl } from '../core/redact.ts';
import type { LogLine, NamespaceSummary, ReleaseEntry, WebhookInfo } from './api-client.ts';
import type { AppEnvChange, AppEnvList } from './commands/app-env.ts';
import type { AppRollbackResult } from './commands/app-rollback.ts';
import type { LoginResult } from './commands/login.ts';
import type { PushFailure, PushResult } from './commands/push.ts';
import { formatBytes } from './output.ts';

/** Left-aligned columns with a header row. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const fields = (pairs: Array<[string, string | number | undefined]>) => {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== '');
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n');
};

/** `slipway login`. */
export function loginText(r: LoginResult): string {
  return `Logged in to ${redactUrl(r.url)} as ${r.user} (Slipway ${r.version}, runtime ${r.runtime}).\nSettings saved in ${r.settingsFile}.`;
}

/** `slipway push`. */
export function pushText(r: PushResult): string {
  const source = r.origin === 'path'
    ? `directory, ${r.entries ?? 0} entries, ${formatBytes(r.size ?? 0)} stored`
    : r.origin === 'git' ? 'git' : 'container image';
  const lines = fields([
    ['App', `${r.app} (${r.created ? 'created' : 'updated'})`],
    ['Namespace', r.namespace],
    ['Source', source],
    ['Image', r.image],
    ['Blob', r.blobuid],
    ['Revision', r.revision],
    ['Branch', r.branch],
  ]);
  if (r.run) return `${lines}\n\n${deployedText(r.app, r.release, r.urls)}`;
  const next = r.runtime === 'none'
    ? 'The source is stored. Staging needs a runtime: start the server with SLIPWAY_RUNTIME=local (or kubernetes).'
    : 'The source is stored; nothing was deployed (--no-deploy).';
  return `${lines}\n\n${next}`;
}

/**
 * stdout of a failed push: one line saying it was not deployed and why, and what is
 * left to refer to (the stored source, the run); the details and the hint go to stderr.
 */
export function pushFailedText(failure: PushFailure): string {
  const r = failure.result;
  const kept = [r.blobuid ? `source stored as blob ${r.blobuid}` : undefined, r.run ? `run ${r.run}` : undefined].filter(Boolean).join(', ');
  const reason = failure.message.split('\n')[0];
  return `${r.app} not deployed: ${reason} (${failure.code})${kept ? `; ${kept}` : ''}`;
}

function deployedText(app: string, release: number | undefined, urls: string[] | undefined, verb = 'Deployed', join = ' release'): string {
  const where = urls?.length ? `\n${urls.map((u) => `  ${u}`).join('\n')}` : ' (no URL)';
  return `${verb} ${app}${release === undefined ? '' : `${join} ${release}`}:${where}`;
}

function sourceSummary(app: AppSummary): string {
  const s = app.status.source;
  if (!s) return '-';
  return s.revision ? `${s.revision.slice(0, 12)}${s.branch ? ` (${s.branch})` : ''}` : s.blobuid;
}

/** ready/desired as the runtime last saw them; `-` for ready when never deployed. */
function instancesText(app: AppSummary): string {
  const r = app.status.runtime;
  return r ? `${r.ready}/${r.desired}` : `-/${app.spec.instances}`;
}

/**
 * The message of an app the server could not read (its state file was moved aside as
 * corrupt: Ready=False, reason StateCorrupt), which needs its owner's attention.
 */
function corruptMessage(app: AppSummary): string | undefined {
  return app.status.conditions?.find((c) => c.type === 'Ready' && c.status === 'False' && c.reason === 'StateCorrupt')?.message;
}

/**
 * The phase for a list: corrupt, else a run in progress, else the runtime's phase —
 * marked when the last run failed, since an earlier release then still runs and a bare
 * `running` would hide the failure (issue 16) — else a failed run.
 */
function phaseOf(app: AppSummary): string {
  if (corruptMessage(app)) return 'corrupt';
  const run = app.status.run;
  if (run && run.phase !== 'succeeded' && run.phase !== 'failed') return run.phase;
  const runtime = app.status.runtime?.phase;
  if (runtime && run?.phase === 'failed') return `${runtime} (last ${run.kind ?? 'deploy'} failed)`;
  return runtime ?? (run?.phase === 'failed' ? 'failed' : '-');
}

function runSummary(run: Run | undefined): string {
  if (!run) return '-';
  const failure = run.error ? `: ${run.error.message} (${run.error.code})` : '';
  return `${run.kind ?? 'deploy'} ${run.id} ${run.phase}${failure}, started ${run.startedAt}`;
}

/** `slipway apps list`. */
export function appsListText(apps: AppSummary[], namespace: string): string {
  if (apps.length === 0) return `No applications in namespace ${namespace}. Create one with \`slipway push --name NAME\`.`;
  // Previews (issue 15) under their parent, indented, with their pull request.
  const list = table(['NAME', 'INSTANCES', 'PHASE', 'ORIGIN', 'SOURCE', 'URL', 'CREATED'], groupPreviews(apps).map((a) => [
    a.spec.preview ? `  └ ${a.metadata.name} (#${a.spec.preview.number})` : a.metadata.name,
    instancesText(a), phaseOf(a), a.spec.preview ? 'preview' : a.spec.origin?.kind ?? '-', sourceSummary(a), a.status.urls?.[0] ?? '-', a.metadata.createdAt,
  ]));
  const attention = apps.flatMap((a) => corruptMessage(a) ? [`${a.metadata.name} needs attention: ${corruptMessage(a)}`] : []);
  return attention.length ? `${list}

${attention.join('\n')}` : list;
}

/** `slipway app previews`. */
export function appPreviewsText(result: { app: string; previews: { enabled: boolean; max: number; allowForks: boolean }; items: { name: string; number: number; fork: boolean; revision?: string; phase?: string; url?: string }[] }): string {
  const { enabled, max, allowForks } = result.previews;
  const head = enabled
    ? `Previews of ${result.app} are on: at most ${max} open, ${allowForks ? 'forks built (without secret env values)' : 'forks not built'}.`
    : `Previews of ${result.app} are off. Turn them on with \`slipway app previews ${result.app} --on\`.`;
  if (result.items.length === 0) return enabled ? `${head}\nNo open previews: open a pull request.` : head;
  return `${head}\n${table(['PR', 'NAME', 'PHASE', 'REVISION', 'URL'], result.items.map((p) => [
    `#${p.number}${p.fork ? ' (fork)' : ''}`, p.name, p.phase ?? '-', p.revision?.slice(0, 12) ?? '-', p.url ?? '-',
  ]))}`;
}

/** `slipway apps show`. */
export function appShowText(app: App): string {
  const origin = app.spec.origin;
  const originText = !origin ? undefined
    : origin.kind === 'git' ? `git ${redactUrl(origin.url)}${origin.revision ? ` @ ${origin.revision}` : ''}${origin.subdir ? ` (subdir ${origin.subdir})` : ''}${origin.watch ? ', watched' : ''}`
    : origin.kind === 'container' ? `container ${origin.image}` : 'directory push';
  const s = app.status.source;
  const { runtime, release, routes, urls } = app.status;
  const env = Object.keys(app.spec.env ?? {}).sort();
  const or = (v: string | number | undefined) => v === undefined || v === '' ? '-' : v;
  return fields([
    ['Name', app.metadata.name],
    ['Namespace', app.metadata.namespace],
    ['Created', app.metadata.createdAt],
    ['Origin', originText],
    // The same word as `apps list` (phaseOf), with the runtime's message when there is one.
    ['Phase', `${phaseOf(app)}${!corruptMessage(app) && runtime?.message ? ` (${runtime.message})` : ''}`],
    ['Attention', corruptMessage(app)],
    ['Instances', `${instancesText(app)} ready${runtime ? `, ${runtime.restarts} restarts` : ''}`],
    ['Release', release ? `${release.number} (stage ${release.stageId}, ${release.createdAt})` : '-'],
    ['Revision', or(release?.revision)],
    ['Branch', or(release?.branch)],
    ['Routes', (routes ?? app.spec.routes)?.length ? (routes ?? app.spec.routes).join(', ') : '-'],
    ['URLs', urls?.length ? urls.join(' ') : '-'],
    ['Last run', runSummary(app.status.run)],
    ['Environment', env.length ? env.join(', ') : undefined],
    ['Builder', app.spec.builder],
    ['Source blob', s?.blobuid],
    ['Source revision', s?.revision],
    ['Source branch', s?.branch],
    ['Source size', s ? formatBytes(s.size) : undefined],
    ['Source stored', s?.createdAt],
  ]);
}

/** `slipway apps delete`. */
export function appDeleteText(r: { deleted: string; namespace: string }): string {
  return `Deleted application ${r.deleted} from namespace ${r.namespace}.`;
}

/** `slipway namespaces list`. */
export function namespacesListText(list: NamespaceSummary[]): string {
  if (list.length === 0) return 'No namespaces. Create one with `slipway namespaces create NAME`.';
  return table(['NAME', 'APPS', 'CREATED'], list.map((n) => [n.name, n.apps.length ? n.apps.join(', ') : '-', n.createdAt]));
}

/** `slipway namespaces create`. */
export function namespaceCreateText(ns: Namespace): string {
  return `Created namespace ${ns.name}.`;
}

/** A phase change of a followed run, for stderr: "staging…". */
export function phaseText(phase: string): string {
  return `${phase}…`;
}

/** A line of build output while following a run, for stderr: "[build] text". */
export function buildLogText(line: LogLine): string {
  return `[${line.source ?? 'build'}] ${line.text}`;
}

/** A line of `slipway app logs`: time, source, stream, text. */
export function logLineText(line: LogLine): string {
  return `${line.time} ${line.source ?? '-'} ${line.stream} ${line.text}`;
}

/** `slipway app restart`. */
export function appRestartText(r: { restarted: string; namespace: string }): string {
  return `Restarting application ${r.restarted} in namespace ${r.namespace}.`;
}

/** `slipway app releases`, newest first; `*` marks the release that serves; SIZE is what it takes on the server's disk (local runtime). */
export function appReleasesText(releases: ReleaseEntry[], app: string): string {
  if (releases.length === 0) return `No releases of ${app} yet. Deploy it with \`slipway push --name ${app}\`.`;
  return table(['RELEASE', 'STAGE', 'REVISION', 'CREATED', 'SIZE', 'CURRENT'], releases.map((r) => [
    String(r.number), r.stageId, r.revision ? r.revision.slice(0, 12) : '-', r.createdAt, r.sizeBytes === undefined ? '-' : formatBytes(r.sizeBytes), r.current ? '*' : '',
  ]));
}

/** `slipway app rollback`. */
export function appRollbackText(r: AppRollbackResult): string {
  return deployedText(r.app, r.release, r.urls, 'Rolled back', ' to release');
}

/** `slipway app watch` in words. */
export function appWatchText(result: { app: string; watching: boolean; branch?: string; interval?: string }): string {
  return result.watching
    ? `Watching ${result.app}: every push to ${result.branch ?? 'its branch'} is deployed (polled every ${result.interval ?? '1m'}; add a webhook for seconds: slipway app webhook ${result.app}).`
    : `Stopped watching ${result.app}.`;
}

/** `slipway app webhook` in words: URLs, secret and the steps per provider. */
export function appWebhookText(info: WebhookInfo): string {
  return [
    `Webhook for ${info.app} (${redactUrl(info.repository)}${info.branch ? `, branch ${info.branch}` : ''})${info.watching ? '' : ' — not watched yet: slipway app watch ' + info.app}`,
    '',
    `Secret:        ${info.secret}`,
    `Content type:  ${info.contentType}`,
    `Events:        ${info.events.join(', ')}`,
    '',
    `GitHub:  ${info.urls.github}`,
    `  ${info.instructions.github}`,
    `GitLab:  ${info.urls.gitlab}`,
    `  ${info.instructions.gitlab}`,
    `Gitea / Forgejo:  ${info.urls.gitea}`,
    `  ${info.instructions.gitea}`,
    `Anything else:  ${info.urls.generic}`,
    `  ${info.instructions.generic}`,
    ...(info.warning ? ['', `warning: ${info.warning}`] : []),
  ].join('\n');
}

/**
 * Why a changed environment is not live yet: PATCH only records it, the next deploy
 * hands it to the build and the instances, and a restart keeps the deployed release's
 * environment (the local runtime's saved spec, the Kubernetes env Secret).
 */
const ENV_NEXT_DEPLOY = 'It takes effect at the next deploy (`slipway push`, or a new commit on a watched branch); `slipway app restart` keeps the running release\'s environment.';

/** `slipway app env set|unset`. */
export function appEnvChangeText(r: AppEnvChange, action: 'set' | 'unset'): string {
  const lines: string[] = [];
  if (r.changed.length) lines.push(`${action === 'set' ? 'Set' : 'Removed'} ${r.changed.join(', ')} ${action === 'set' ? 'on' : 'from'} ${r.app} (namespace ${r.namespace}).`);
  if (r.unchanged.length) lines.push(`${r.unchanged.join(', ')} ${action === 'set' ? 'already had that value' : 'was not set'}.`);
  lines.push(r.changed.length ? ENV_NEXT_DEPLOY : 'Nothing changed.');
  return lines.join('\n');
}

/** `slipway app env list`: values as `****` unless revealed. */
export function appEnvListText(r: AppEnvList): string {
  if (!r.variables.length) return `${r.app} has no environment variables; set one with \`slipway app env set ${r.app} KEY=VALUE\`.`;
  const anySecret = r.variables.some((v) => v.secret);
  // The SECRET column only when some variable is marked (`app env set --secret`): older outputs stay as they were.
  const rows = anySecret
    ? table(['NAME', 'VALUE', 'SECRET'], r.variables.map((v) => [v.name, r.revealed ? v.value ?? '' : '****', v.secret ? 'yes' : '-']))
    : table(['NAME', 'VALUE'], r.variables.map((v) => [v.name, r.revealed ? v.value ?? '' : '****']));
  return r.revealed ? rows : `${rows}\n\nValues are hidden; show them with --reveal.`;
}
