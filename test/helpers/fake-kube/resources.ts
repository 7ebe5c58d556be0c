/** The table of resources the fake serves: built-ins plus one entry per served CRD version. */

/** One served resource (one group/version/plural). */
export type ResourceInfo = {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** Has a `/status` subresource: main writes ignore `.status`, `/status` writes change only it. */
  status: boolean;
  /** Bumps `metadata.generation` when anything outside metadata/status changes. */
  generation: boolean;
  /** Extra subresources served (discovery only), e.g. `log` for pods. */
  extraSubresources: string[];
  categories: string[];
  /** client-node model class name for the unknown-field walk (built-ins). */
  model?: string;
  /** openAPIV3Schema of a custom resource version. */
  schema?: Record<string, unknown>;
  /** additionalPrinterColumns of a custom resource version (kubectl's Table output). */
  printerColumns?: { name: string; type: string; jsonPath: string; description?: string; priority?: number }[];
};

/** The storage key of a resource: one store per group and plural, whatever the version. */
export function storageKey(r: { group: string; plural: string }): string {
  return `${r.group}/${r.plural}`;
}

/** `apps/v1` or `v1`. */
export function groupVersion(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

type Row = [group: string, version: string, plural: string, kind: string, namespaced: boolean, shortNames: string[], flags: string];

// flags: s = status subresource, g = generation, l = pods/log
const builtins: Row[] = [
  ['', 'v1', 'namespaces', 'Namespace', false, ['ns'], 's'],
  ['', 'v1', 'pods', 'Pod', true, ['po'], 'sl'],
  ['', 'v1', 'services', 'Service', true, ['svc'], 's'],
  ['', 'v1', 'secrets', 'Secret', true, [], ''],
  ['', 'v1', 'configmaps', 'ConfigMap', true, ['cm'], ''],
  ['', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], 's'],
  ['', 'v1', 'events', 'Event', true, ['ev'], ''],
  ['', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa'], ''],
  ['apps', 'v1', 'deployments', 'Deployment', true, ['deploy'], 'sg'],
  ['apps', 'v1', 'replicasets', 'ReplicaSet', true, ['rs'], 'sg'],
  ['batch', 'v1', 'jobs', 'Job', true, [], 'sg'],
  ['networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, ['ing'], 'sg'],
  ['coordination.k8s.io', 'v1', 'leases', 'Lease', true, [], ''],
  ['policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], 's'],
  ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false, [], ''],
  ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false, [], ''],
  ['rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true, [], ''],
  ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true, [], ''],
  ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], 'sg'],
];

const models: Record<string, string> = { Event: 'CoreV1Event' };

/** The resource table; CRDs add and remove entries while the server runs. */
export type ResourceTable = ReturnType<typeof createResourceTable>;

/** Build the table with the built-in resources. */
export function createResourceTable() {
  const all: ResourceInfo[] = builtins.map(([group, version, plural, kind, namespaced, shortNames, flags]) => ({
    group, version, plural, kind, namespaced, shortNames,
    singular: kind.toLowerCase(),
    status: flags.includes('s'),
    generation: flags.includes('g'),
    extraSubresources: flags.includes('l') ? ['log'] : [],
    categories: [],
    model: models[kind] ?? `V1${kind}`,
  }));
  return {
    /** Every served resource. */
    all: (): ResourceInfo[] => all,
    /** The resource served at /apis/group/version/plural (or /api/v1/plural). */
    find: (group: string, version: string, plural: string): ResourceInfo | undefined =>
      all.find((r) => r.group === group && r.version === version && r.plural === plural),
    /** The resource for an object's apiVersion and kind. */
    byKind: (apiVersion: string, kind: string): ResourceInfo | undefined =>
      all.find((r) => groupVersion(r) === apiVersion && r.kind === kind),
    /** Any version of group/plural (for storage-level operations). */
    anyVersion: (group: string, plural: string): ResourceInfo | undefined =>
      all.find((r) => r.group === group && r.plural === plural),
    /** Replace the entries of one CRD (group + plural) with these versions. */
    setCustom: (group: string, plural: string, versions: ResourceInfo[]): void => {
      for (let i = all.length - 1; i >= 0; i--) if (all[i]!.group === group && all[i]!.plural === plural) all.splice(i, 1);
      all.push(...versions);
    },
    /** Group names in discovery order, each with its versions. */
    groups: (): { name: string; versions: string[] }[] => {
      const groups = new Map<string, string[]>();
      for (const r of all) {
        if (!r.group) continue;
        const versions = groups.get(r.group) ?? [];
        if (!versions.includes(r.version)) versions.push(r.version);
        groups.set(r.group, versions);
      }
      return [...groups].map(([name, versions]) => ({ name, versions }));
    },
  };
}
