/**
 * The build half of the local runtime: detects what kind of app an unpacked source
 * is, builds it in place the way a buildpack would, and says how to run it. The run
 * half starts `ReleasePlan.command` (or serves `staticRoot`) with `ReleasePlan.env`.
 * See docs/local-build.md.
 */
import { join } from 'node:path';
import { createBuildLog } from './build-log.ts';
import { appEnv, buildCacheDir, buildEnv } from './build-env.ts';
import { detectApp, findStaticRoot, STATIC_ROOTS } from './detect-app.ts';
import { checkStartInstalled, pruneDevDependencies, runNodeBuild, type StepContext } from './node-build.ts';
import { noWayToStart, resolveNodeStart } from './node-start.ts';
import { checkStartEarly } from './check-start-early.ts';
import { DEFAULT_MAX_LOG_BYTES, type BuildOptions, type ReleasePlan } from './release-plan.ts';
import { fileExists } from './file-exists.ts';
import { shellCommand } from './shell-command.ts';

export type { BuildOptions, ReleasePlan } from './release-plan.ts';

const staticPlan = (staticRoot: string, how: string): ReleasePlan => ({
  kind: 'static',
  staticRoot,
  env: {},
  description: `${how}, served by Slipway from ${staticRoot === '.' ? 'the app folder' : `${staticRoot}/`}`,
});

/** Detects and builds the app in `options.dir`; throws `stage_failed` (422) for anything the user must fix. */
export async function buildRelease(options: BuildOptions): Promise<ReleasePlan> {
  const started = performance.now();
  const log = createBuildLog(options.log, options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES);
  const detection = await detectApp(options.dir);
  // The plan's description is the caller's to show (it prints it as the stage's result).
  const done = (plan: ReleasePlan): ReleasePlan => {
    log.system(`build done in ${Math.round(performance.now() - started)} ms`, 'detect');
    return plan;
  };
  if (detection.kind === 'static') {
    log.system(`detected a static site: ${detection.staticRoot === '.' ? '' : `${detection.staticRoot}/`}index.html`, 'detect');
    return done(staticPlan(detection.staticRoot, 'Static site'));
  }

  const pkg = detection.packageJson;
  log.system(
    detection.kind === 'procfile'
      ? `detected a Procfile with a web process${pkg === undefined ? '' : ', and package.json (installed and built as a Node.js app)'}`
      : 'detected a Node.js app (package.json)',
    'detect',
  );
  const context: StepContext = {
    dir: options.dir,
    env: await buildEnv(options),
    cacheDir: buildCacheDir(options),
    log,
    deadline: Date.now() + options.timeoutMs,
    timeoutMs: options.timeoutMs,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.track === undefined ? {} : { track: options.track }),
  };
  if (detection.kind === 'node') await checkStartEarly(options.dir, detection.packageJson);
  const built = pkg === undefined ? undefined : await runNodeBuild(context, pkg);
  const how = built === undefined ? '' : ` (${built.labels.join(', ')})`;

  // Removes devDependencies, or checks they were not needed, for the program `startLine` runs.
  const settle = async (startLine: string) => {
    if (built?.prune !== undefined) await pruneDevDependencies(context, built.prune, startLine);
    else if (built !== undefined) await checkStartInstalled(context, pkg!, built, startLine);
  };
  if (detection.kind === 'procfile') {
    await settle(detection.web);
    return done({
      kind: 'procfile',
      command: shellCommand(detection.web),
      env: appEnv(options, pkg !== undefined),
      description: `Procfile web process${how}, starts with: ${detection.web}`,
    });
  }

  const start = await resolveNodeStart(options.dir, pkg!, join(options.nodeBinDir, 'node'));
  if (start === undefined) {
    // A package.json with nothing to start: a front-end project. Its build output
    // (dist/) wins over a root index.html, which in such projects is the source template.
    const staticRoot =
      built?.ranBuild && (await fileExists(join(options.dir, 'dist', 'index.html'))) ? 'dist' : await findStaticRoot(options.dir);
    if (staticRoot !== undefined) return done(staticPlan(staticRoot, `Static site built with Node.js${how}`));
    throw noWayToStart(pkg!, STATIC_ROOTS.map((root) => root.index), false);
  }
  await settle(start.shows);
  return done({
    kind: 'node',
    command: start.command,
    env: appEnv(options, true),
    description: `Node.js app${how}, starts with: ${start.shows}`,
  });
}
