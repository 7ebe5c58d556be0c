/**
 * Runs the real `helm` (from kubeTools) on charts/slipway with its own config, cache
 * and data folders, so tests neither read nor write the user's helm settings.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { kubeTools } from '../../helpers/kube-tools.ts';
import { REPO_ROOT } from '../../helpers/server-process.ts';

/** The chart under test. */
export const CHART = join(REPO_ROOT, 'charts', 'slipway');
/** Namespace the tests install into (what the Deployment must tell Slipway). */
export const RELEASE_NAMESPACE = 'slipway-system';

/** What one helm run printed. */
export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A rendered object, loosely typed. */
export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, unknown>;

/** See {@link createHelmRunner}. */
export interface HelmRunner {
  /** Runs helm; `kubeconfig` lets it reach a (fake) cluster, for `lookup`. */
  run(args: string[], kubeconfig?: string): Promise<HelmRun>;
  /** `helm template` with `values` (as a values file); throws with helm's message on failure. */
  render(values?: object, extraArgs?: string[], kubeconfig?: string): Promise<KubeObject[]>;
  /** Renders NOTES.txt, which `helm template` leaves out, for `values`. */
  renderNotes(values?: object): Promise<string>;
  /** Writes `values` to a file and returns its path. */
  valuesFile(values: object): Promise<string>;
  dispose(): Promise<void>;
}

/** A runner with fresh helm folders; fails (never skips) when helm cannot be obtained. */
export async function createHelmRunner(): Promise<HelmRunner> {
  const { helm } = await kubeTools();
  const home = await mkdtemp(join(tmpdir(), 'slipway-helm-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    // Nothing here may reach a cluster.
    KUBECONFIG: join(home, 'no-kubeconfig'),
  };
  let files = 0;

  const run = (args: string[], kubeconfig?: string) => new Promise<HelmRun>((resolve) => {
    execFile(helm, args, { env: kubeconfig ? { ...env, KUBECONFIG: kubeconfig } : env, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });

  async function valuesFile(values: object): Promise<string> {
    const path = join(home, `values-${++files}.yaml`);
    await writeFile(path, stringify(values));
    return path;
  }

  async function template(chart: string, values: object, extraArgs: string[], kubeconfig?: string): Promise<string> {
    const result = await run(['template', 'slipway', chart, '--namespace', RELEASE_NAMESPACE, '-f', await valuesFile(values), ...extraArgs], kubeconfig);
    if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  return {
    run,
    valuesFile,
    async render(values = {}, extraArgs = [], kubeconfig) {
      const docs = parseAllDocuments(await template(CHART, values, extraArgs, kubeconfig));
      return docs.map((doc) => doc.toJS() as KubeObject | null).filter((object): object is KubeObject => object !== null);
    },
    async renderNotes(values = {}) {
      // A copy whose NOTES.txt becomes a named template that a ConfigMap prints.
      const copy = join(home, `notes-${++files}`);
      await cp(CHART, copy, { recursive: true });
      const notes = await readFile(join(copy, 'templates', 'NOTES.txt'), 'utf8');
      await rm(join(copy, 'templates', 'NOTES.txt'));
      await writeFile(join(copy, 'templates', '_notes.tpl'), `{{- define "test.notes" -}}\n${notes}\n{{- end }}\n`);
      await writeFile(join(copy, 'templates', 'notes-probe.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ include "test.notes" . | quote }}\n');
      const docs = parseAllDocuments(await template(copy, values, ['--show-only', 'templates/notes-probe.yaml']));
      return (docs[0]!.toJS() as { data: { notes: string } }).data.notes;
    },
    dispose: () => rm(home, { recursive: true, force: true }),
  };
}
