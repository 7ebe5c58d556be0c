/**
 * The non-Node languages a Procfile app may be written in: Python (requirements.txt,
 * pyproject.toml) and Go (go.mod), built with the server's own toolchain. Heroku's
 * buildpacks detect the same files. A Procfile app with neither needs no build.
 */
import { goModulePath, buildGo } from './go-build.ts';
import type { StepContext } from './node-build.ts';
import { buildPython, pythonProjectFile, type LanguageBuild } from './python-build.ts';

/** What {@link buildLanguage} built; `binaries` for Go (the programs in bin/). */
export type LanguageResult = LanguageBuild & { language: 'python' | 'go'; binaries?: string[]; modulePath?: string };

/** Builds the app in `context.dir` when it is a Python or Go project; undefined when it is neither. */
export async function buildLanguage(context: StepContext): Promise<LanguageResult | undefined> {
  const python = await pythonProjectFile(context.dir);
  if (python !== undefined) return { language: 'python', ...(await buildPython(context, python)) };
  const modulePath = await goModulePath(context.dir);
  if (modulePath !== undefined) return { language: 'go', modulePath, ...(await buildGo(context, modulePath)) };
  return undefined;
}
