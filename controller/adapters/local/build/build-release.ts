/**
 * The build half of the local runtime: detects what kind of app an unpacked source
 * is, builds it in place the way a buildpack would, and says how to run it. The run
 * half starts `ReleasePlan.command` (or serves `staticRoot`) with `ReleasePlan.env`.
 * See docs/local-build.md.
 */
import { basename, delimiter, join } from 'node:path';
import { createBuildLog } from './build-log.ts';
import { appEnv, buildCacheDir, buildEnv } from './build-env.ts';
import { detectApp, findStaticRoot, STATIC_ROOTS } from './detect-app.ts';
import { checkStartInstalled, pruneDevDependencies, runNodeBuild, type StepContext } from './node-build.ts';
import { noWayToStart, resolveNodeStart } from './node-start.ts';
import { checkStartEarly } from './check-start-early.ts';
import { findBuiltSite, findServerOutput, isDevServer } from './front-end-output.ts';
import { keepOnly } from './keep-only.ts';
import { buildLanguage, type LanguageResult } from './language-build.ts';
import { DEFAULT_MAX_LOG_BYTES, type BuildOptions, type ReleasePlan } from './release-plan.ts';
import { shellCommand } from './shell-command.ts';
import { stageFailed } from './stage-failed.ts';

export type { BuildOptions, ReleasePlan } from './release-plan.ts';

const BUILT_OUTPUTS = '.output/server/index.mjs, build/index.js, .next/, dist/, build/, out/, .output/public/, dist/*/browser/, public/';

const staticPlan = (staticRoot: string, how: string, spa = false): ReleasePlan => ({
  kind: 'static',
  staticRoot,
  ...(spa ? { fallback: 'index.html' } : {}),
  env: {},
  description: `${how}, served by Slipway from ${staticRoot === '.' ? 'the app folder' : `${staticRoot}/`}`,
});

/** The web process of a Go app without a Procfile: the binary named after the module (Heroku's default), or the only one. */
function goWeb(language: LanguageResult | undefined): string {
  const binaries = language?.binaries ?? [];
  const name = basename(language?.modulePath ?? '');
  const web = binaries.includes(name) ? name : binaries.length === 1 ? binaries[0] : undefined;
  if (web === undefined) {
    throw stageFailed(`go build wrote several programs (${binaries.join(', ')}) and none is named after the module; add a Procfile with a line such as "web: ${binaries[0]}"`, { binaries });
  }
  return `bin/${web}`;
}

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

  const pkg = detection.kind === 'go' ? undefined : detection.packageJson;
  log.system(
    detection.kind === 'go' ? 'detected a Go app (go.mod, no Procfile)' : detection.kind === 'procfile'
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
  if (detection.kind === 'procfile' || detection.kind === 'go') {
    const language = await buildLanguage(context);
    const web = detection.kind === 'procfile' ? detection.web : goWeb(language);
    await settle(web);
    const labels = [...(built?.labels ?? []), ...(language?.labels ?? [])];
    const env = appEnv(options, pkg !== undefined);
    const languageName = language === undefined ? undefined : language.language === 'go' ? 'Go app' : 'Python app';
    const what = detection.kind === 'go' ? 'Go app' : languageName === undefined ? 'Procfile web process' : `${languageName}, Procfile web process`;
    return done({
      kind: 'procfile',
      command: shellCommand(web),
      env: language === undefined ? env : { ...env, ...language.env, PATH: [...language.path, env.PATH].join(delimiter) },
      description: `${what}${labels.length === 0 ? '' : ` (${labels.join(', ')})`}, starts with: ${web}`,
    });
  }

  const node = join(options.nodeBinDir, 'node');
  const ranBuild = built?.ranBuild === true;
  // After a production build, a template's `start` that runs the dev server (Create
  // React App's `react-scripts start`) is not how the app should serve: look for what
  // the build wrote first, and fall back to the script only when it wrote nothing known.
  const devStart = ranBuild && pkg!.scripts.start !== undefined && isDevServer(pkg!.scripts.start) ? pkg!.scripts.start : undefined;
  const { start: _dev, ...otherScripts } = pkg!.scripts;
  const start =
    (await resolveNodeStart(options.dir, devStart === undefined ? pkg! : { ...pkg!, scripts: otherScripts }, node)) ??
    (ranBuild ? await findServerOutput(options.dir, node) : undefined);
  if (start === undefined) {
    // A package.json with nothing to start: a front-end project. What its build wrote
    // (dist/, build/, out/, …) wins over a root index.html, which in such projects is
    // the source template, and is a single-page app: unknown routes get its index.html.
    const builtSite = ranBuild ? await findBuiltSite(options.dir) : undefined;
    const staticRoot = builtSite ?? (await findStaticRoot(options.dir));
    if (staticRoot !== undefined) {
      if (devStart !== undefined) log.system(`"scripts.start" runs a development server (${devStart}); serving the build's output instead`, 'detect');
      if (ranBuild) await keepOnly(options.dir, staticRoot);
      return done(staticPlan(staticRoot, `Static site built with Node.js${how}`, builtSite !== undefined));
    }
    if (devStart !== undefined) {
      log.system(`"scripts.start" runs a development server (${devStart}) and the build wrote no known output (${BUILT_OUTPUTS}); starting it anyway`, 'detect');
      await settle(devStart);
      return done({ kind: 'node', command: shellCommand(devStart), env: appEnv(options, true), description: `Node.js app${how}, starts with: ${devStart}` });
    }
    throw noWayToStart(pkg!, [...STATIC_ROOTS.map((root) => root.index), ...(ranBuild ? [`the build's output (${BUILT_OUTPUTS})`] : [])], false);
  }
  await settle(start.shows);
  return done({
    kind: 'node',
    command: start.command,
    env: appEnv(options, true),
    description: `Node.js app${how}, starts with: ${start.shows}`,
  });
}
