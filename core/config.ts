/**
 * Slipway's configuration: every setting, its default and its validation, in one
 * place. Only composition roots call {@link parseConfig} with `process.env`; everything
 * else receives the parsed {@link Config}. Documented in docs/configuration.md.
 */
import { z } from 'zod';
import { SlipwayError } from './errors.ts';

const MiB = 1024 * 1024;

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const int = (min: number) => z.coerce.number().int().min(min);
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

/** Every `SLIPWAY_*` variable: its type, bounds and default (scripts/generate-docs.ts documents it). */
export const configSchema = z.object({
  SLIPWAY_PORT: int(0).max(65535).default(8080),
  SLIPWAY_HOST: z.string().min(1).optional(),
  SLIPWAY_DATA_DIR: z.string().min(1).default('./.slipway'),
  SLIPWAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SLIPWAY_RUNTIME: z.enum(['none', 'local', 'kubernetes']).default('local'),
  SLIPWAY_SYSTEM_DOMAIN: z.string().min(1).default('localhost'),
  SLIPWAY_BUILD_TIMEOUT_MS: int(1).default(15 * 60_000),
  SLIPWAY_BUILD_PASS_ENV: list.pipe(z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, 'entries must be variable names, or a prefix ending in *'))).default([]),
  SLIPWAY_READY_TIMEOUT_MS: int(1).default(60_000),
  SLIPWAY_STOP_GRACE_MS: int(0).default(10_000),
  SLIPWAY_IDLE_TIMEOUT_MS: int(1000).default(120_000),
  SLIPWAY_BLOB_STORE: z.enum(['filesystem', 's3']).optional(),
  SLIPWAY_S3_ENDPOINT: z.url().optional(),
  SLIPWAY_S3_BUCKET: z.string().min(3).max(63).optional(),
  SLIPWAY_S3_REGION: z.string().min(1).default('us-east-1'),
  SLIPWAY_S3_FORCE_PATH_STYLE: bool.default(true),
  SLIPWAY_S3_PART_BYTES: int(5 * MiB).default(5 * MiB),
  SLIPWAY_MAX_UPLOAD_BYTES: int(1).default(512 * MiB),
  SLIPWAY_MAX_UNPACKED_BYTES: int(1).default(2048 * MiB),
  SLIPWAY_MAX_ARCHIVE_ENTRIES: int(1).default(100_000),
  SLIPWAY_GIT_ALLOWED_HOSTS: list.default([]),
  SLIPWAY_GIT_CREDENTIALS_FILE: z.string().min(1).optional(),
  SLIPWAY_GIT_MAX_BYTES: int(1).default(1024 * MiB),
  SLIPWAY_GIT_TIMEOUT_MS: int(1).default(300_000),
  SLIPWAY_GIT_REFS_MAX_BYTES: int(1024).default(8 * MiB),
  SLIPWAY_GIT_CONCURRENCY: int(1).max(256).default(4),
  SLIPWAY_PUBLIC_URL: z.url().optional(),
  SLIPWAY_API_HOSTS: list.default([]),
  SLIPWAY_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SLIPWAY_SHARED_HOSTS: list.default([]),
  SLIPWAY_GITHUB_WEBHOOK_SECRET: list.default([]),
  SLIPWAY_GITLAB_WEBHOOK_TOKEN: list.default([]),
  SLIPWAY_GITEA_WEBHOOK_SECRET: list.default([]),
  SLIPWAY_GENERIC_WEBHOOK_SECRET: list.default([]),
  SLIPWAY_WEBHOOK_MAX_BYTES: int(1024).default(1024 * 1024),
  SLIPWAY_WEBHOOK_READ_TIMEOUT_MS: int(1).default(10_000),
  SLIPWAY_WATCH_CONCURRENCY: int(1).max(256).default(8),
  SLIPWAY_WATCH_MIN_INTERVAL_MS: int(100).default(10_000),
  SLIPWAY_WATCH_DEBOUNCE_MS: int(0).default(1_000),
  SLIPWAY_GITHUB_TOKEN: z.string().min(1).optional(),
  SLIPWAY_GITHUB_API_URL: z.url().default('https://api.github.com'),
  SLIPWAY_GITLAB_TOKEN: z.string().min(1).optional(),
  SLIPWAY_GITLAB_API_URL: z.url().default('https://gitlab.com/api/v4'),
  SLIPWAY_GITEA_TOKEN: z.string().min(1).optional(),
  SLIPWAY_GITEA_API_URL: z.url().optional(),
  SLIPWAY_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  SLIPWAY_USERS_FILE: z.string().min(1).optional(),
  SLIPWAY_KUBE_NAMESPACE: z.string().min(1).default('slipway-system'),
  SLIPWAY_IMAGE: z.string().min(1).default('ghcr.io/slipway-dev/slipway:0.1.0'),
  SLIPWAY_REGISTRY: z.string().min(1).default('registry.slipway-system.svc.cluster.local:5000'),
  SLIPWAY_REGISTRY_PULL: z.string().min(1).optional(),
  SLIPWAY_REGISTRY_INSECURE: bool.default(false),
  SLIPWAY_REGISTRY_SECRET: z.string().min(1).default('slipway-registry'),
  SLIPWAY_IMAGE_PULL_SECRETS: list.default([]),
  SLIPWAY_BUILDER_USERS: list.pipe(z.array(z.string().regex(/^[^=]+=\d+:\d+$/, 'entries must be image-pattern=uid:gid'))).default([]),
  SLIPWAY_STAGE_NODE_SELECTOR: list.pipe(z.array(z.string().regex(/^[^=]+=[^=]*$/, 'entries must be key=value'))).default([]),
  SLIPWAY_STAGE_CPU_LIMIT: z.string().min(1).default('2'),
  SLIPWAY_STAGE_MEMORY_LIMIT: z.string().min(1).default('4Gi'),
  SLIPWAY_PENDING_GRACE_MS: int(1000).default(120_000),
  SLIPWAY_WILDCARD_DNS: z.string().min(1).default('sslip.io'),
  SLIPWAY_INGRESS_SERVICE: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must be NAMESPACE/NAME').default('kube-system/traefik'),
  SLIPWAY_S3_SECRET: z.string().min(1).default('slipway-s3'),
  SLIPWAY_BUILDER_IMAGE: z.string().min(1).default('paketobuildpacks/builder-jammy-full:latest'),
  SLIPWAY_INGRESS_CLASS: z.string().min(1).default('traefik'),
  SLIPWAY_TLS_ISSUER: z.string().min(1).optional(),
  SLIPWAY_STAGE_CPU: z.string().min(1).default('500m'),
  SLIPWAY_STAGE_MEMORY: z.string().min(1).default('1Gi'),
  SLIPWAY_CACHE_SIZE: z.string().min(1).default('2Gi'),
  SLIPWAY_CACHE_STORAGE_CLASS: z.string().min(1).optional(),
  SLIPWAY_STAGE_TTL_SECONDS: int(0).default(3600),
  SLIPWAY_ROLLOUT_TIMEOUT_MS: int(1).default(300_000),
  SLIPWAY_LEASE_NAME: z.string().min(1).default('slipway-controller'),
  SLIPWAY_LEASE_DURATION_MS: int(1000).default(15_000),
  SLIPWAY_POD_NAME: z.string().min(1).optional(),
});

/** The validated configuration. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  logLevel: z.infer<typeof configSchema>['SLIPWAY_LOG_LEVEL'];
  runtime: 'none' | 'local' | 'kubernetes';
  systemDomain: string;
  /** Names (or `PREFIX*`) of the server's environment local builds see, besides the built-in proxy/CA/package-manager list. */
  buildPassEnv: string[];
  /**
   * Deadlines of the local runtime: a whole build, an instance answering, a graceful
   * stop; and how long a connection to the server may be silent (`idleMs`).
   */
  timeouts: { buildMs: number; readyMs: number; stopGraceMs: number; idleMs: number };
  blobStore:
    | { kind: 'filesystem'; dir: string }
    | { kind: 's3'; endpoint?: string; bucket: string; region: string; forcePathStyle: boolean; partBytes: number };
  limits: { uploadBytes: number; unpackedBytes: number; archiveEntries: number };
  git: { allowedHosts: string[]; credentialsFile: string; maxBytes: number; timeoutMs: number; refsMaxBytes: number; concurrency: number };
  auth: { adminPassword?: string; usersFile: string };
  /** URL users and providers reach this server at (webhook URLs); default: the listening address. */
  publicUrl?: string;
  /**
   * Route ownership (docs/routes.md): extra names the API answers on (besides its
   * addresses, the public URL's host and the system domain), which no app may claim;
   * and hosts (or `*.domain`) that apps of several namespaces may share path by path.
   */
  routes: { apiHosts: string[]; sharedHosts: string[] };
  /** `GET /metrics` needs `Authorization: Bearer <token>` when set; open otherwise. */
  metricsToken?: string;
  webhooks: {
    secrets: { github: string[]; gitlab: string[]; gitea: string[]; generic: string[] };
    maxBytes: number;
    readTimeoutMs: number;
  };
  watch: { concurrency: number; minIntervalMs: number; debounceMs: number };
  /** Commit statuses back to GitHub, when a token is set. */
  github: { token?: string; apiUrl: string };
  /** Commit statuses back to GitLab and Gitea/Forgejo (issue 15), when a token is set. */
  forges: { gitlab: { token?: string; apiUrl: string }; gitea: { token?: string; apiUrl?: string } };
  /** The Kubernetes runtime (`SLIPWAY_RUNTIME=kubernetes`); see docs/kubernetes.md. */
  kubernetes: KubernetesConfig;
}

/** Settings of the Kubernetes runtime. */
export interface KubernetesConfig {
  /** Where Slipway itself runs: its Lease, and the Secrets it copies into app namespaces. */
  namespace: string;
  /** Slipway's own image: the staging Job's init container runs its `slipway unpack`. */
  image: string;
  /** Registry staged images are pushed to (from build pods): `<registry>/<namespace>/<app>:<stageid>`. */
  registry: string;
  /**
   * The same registry as the nodes' container runtime reaches it (e.g. `127.0.0.1:30500`
   * through a NodePort, since nodes cannot resolve `*.svc.cluster.local`): Deployments'
   * image references use it. Defaults to {@link registry}.
   */
  registryPull: string;
  /** Plain HTTP registry: builds get `CNB_INSECURE_REGISTRIES` (platform API 0.13+). */
  registryInsecure: boolean;
  /** Secret (type kubernetes.io/dockerconfigjson) with the registry credentials. */
  registrySecret: string;
  /** Secret with the S3 credentials the unpack step reads (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). */
  s3Secret: string;
  /** Secrets in {@link namespace} to pull Slipway's and the builder's images with; copied into app namespaces. */
  imagePullSecrets: string[];
  builderImage: string;
  /**
   * The user and group a builder's lifecycle runs as (its CNB_USER_ID/CNB_GROUP_ID), by
   * image pattern (`*` wildcards), first match wins; `SLIPWAY_BUILDER_USERS` entries
   * (`pattern=uid:gid`) come before the built-in ones (Paketo 1001:1000, Heroku 1000:1000).
   */
  builderUsers: string[];
  ingressClass: string;
  /** Wildcard DNS service for a derived system domain: `<ingress IP>.<wildcardDns>`. */
  wildcardDns: string;
  /** The ingress controller's Service (`namespace/name`), whose load-balancer address gives the derived domain. */
  ingressService: { namespace: string; name: string };
  /** Whether SLIPWAY_SYSTEM_DOMAIN was set; when not, the Kubernetes runtime derives one. */
  systemDomainSet: boolean;
  /** cert-manager ClusterIssuer: Ingresses get TLS when set. */
  tlsIssuer?: string;
  /**
   * Staging Jobs: requests (`cpu`, `memory`) and limits, node selector (`key=value`
   * entries), buildpacks cache, how long a finished Job is kept.
   */
  stage: {
    cpu: string; memory: string; cpuLimit: string; memoryLimit: string; nodeSelector: Record<string, string>;
    cacheSize: string; cacheStorageClass?: string; ttlSeconds: number;
  };
  /** How long a pod may stay unschedulable or fail to pull its image before the build or rollout fails. */
  pendingGraceMs: number;
  rolloutTimeoutMs: number;
  lease: { name: string; durationMs: number };
  /** This replica's identity in the Lease (the pod name; else host name and pid). */
  identity?: string;
}

/** Parses and validates the environment. Throws `invalid_config` listing every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SLIPWAY_') && v !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SlipwayError('invalid_config', `invalid configuration:\n  ${problems.join('\n  ')}\nsee docs/configuration.md`, {
      status: 500, expose: true, data: { problems },
    });
  }
  const e = result.data;
  const dataDir = e.SLIPWAY_DATA_DIR;
  const blobKind = e.SLIPWAY_BLOB_STORE ?? (e.SLIPWAY_S3_BUCKET ? 's3' : 'filesystem');
  if (blobKind === 's3' && !e.SLIPWAY_S3_BUCKET) {
    throw new SlipwayError('invalid_config', 'invalid configuration: SLIPWAY_BLOB_STORE=s3 needs SLIPWAY_S3_BUCKET; see docs/configuration.md', { status: 500, expose: true });
  }
  return {
    port: e.SLIPWAY_PORT,
    // Embedded, the API and the apps' router answer this machine only unless widened (issue 13);
    // in a pod, the Service and probes reach it from outside its own loopback.
    host: e.SLIPWAY_HOST ?? (e.SLIPWAY_RUNTIME === 'kubernetes' ? '0.0.0.0' : '127.0.0.1'),
    dataDir,
    logLevel: e.SLIPWAY_LOG_LEVEL,
    runtime: e.SLIPWAY_RUNTIME,
    systemDomain: e.SLIPWAY_SYSTEM_DOMAIN,
    buildPassEnv: e.SLIPWAY_BUILD_PASS_ENV,
    timeouts: { buildMs: e.SLIPWAY_BUILD_TIMEOUT_MS, readyMs: e.SLIPWAY_READY_TIMEOUT_MS, stopGraceMs: e.SLIPWAY_STOP_GRACE_MS, idleMs: e.SLIPWAY_IDLE_TIMEOUT_MS },
    blobStore: blobKind === 's3'
      ? { kind: 's3', endpoint: e.SLIPWAY_S3_ENDPOINT, bucket: e.SLIPWAY_S3_BUCKET!, region: e.SLIPWAY_S3_REGION, forcePathStyle: e.SLIPWAY_S3_FORCE_PATH_STYLE, partBytes: e.SLIPWAY_S3_PART_BYTES }
      : { kind: 'filesystem', dir: `${dataDir}/blobs` },
    limits: { uploadBytes: e.SLIPWAY_MAX_UPLOAD_BYTES, unpackedBytes: e.SLIPWAY_MAX_UNPACKED_BYTES, archiveEntries: e.SLIPWAY_MAX_ARCHIVE_ENTRIES },
    git: {
      allowedHosts: e.SLIPWAY_GIT_ALLOWED_HOSTS,
      credentialsFile: e.SLIPWAY_GIT_CREDENTIALS_FILE ?? `${dataDir}/git-credentials`,
      maxBytes: e.SLIPWAY_GIT_MAX_BYTES,
      timeoutMs: e.SLIPWAY_GIT_TIMEOUT_MS,
      refsMaxBytes: e.SLIPWAY_GIT_REFS_MAX_BYTES,
      concurrency: e.SLIPWAY_GIT_CONCURRENCY,
    },
    auth: { adminPassword: e.SLIPWAY_ADMIN_PASSWORD, usersFile: e.SLIPWAY_USERS_FILE ?? `${dataDir}/users.json` },
    publicUrl: e.SLIPWAY_PUBLIC_URL?.replace(/\/+$/, ''),
    metricsToken: e.SLIPWAY_METRICS_TOKEN,
    routes: { apiHosts: e.SLIPWAY_API_HOSTS.map((h) => h.toLowerCase()), sharedHosts: e.SLIPWAY_SHARED_HOSTS.map((h) => h.toLowerCase()) },
    webhooks: {
      secrets: { github: e.SLIPWAY_GITHUB_WEBHOOK_SECRET, gitlab: e.SLIPWAY_GITLAB_WEBHOOK_TOKEN, gitea: e.SLIPWAY_GITEA_WEBHOOK_SECRET, generic: e.SLIPWAY_GENERIC_WEBHOOK_SECRET },
      maxBytes: e.SLIPWAY_WEBHOOK_MAX_BYTES,
      readTimeoutMs: e.SLIPWAY_WEBHOOK_READ_TIMEOUT_MS,
    },
    watch: { concurrency: e.SLIPWAY_WATCH_CONCURRENCY, minIntervalMs: e.SLIPWAY_WATCH_MIN_INTERVAL_MS, debounceMs: e.SLIPWAY_WATCH_DEBOUNCE_MS },
    github: { token: e.SLIPWAY_GITHUB_TOKEN, apiUrl: e.SLIPWAY_GITHUB_API_URL.replace(/\/+$/, '') },
    forges: {
      gitlab: { token: e.SLIPWAY_GITLAB_TOKEN, apiUrl: e.SLIPWAY_GITLAB_API_URL.replace(/\/+$/, '') },
      gitea: { token: e.SLIPWAY_GITEA_TOKEN, apiUrl: e.SLIPWAY_GITEA_API_URL?.replace(/\/+$/, '') },
    },
    kubernetes: {
      namespace: e.SLIPWAY_KUBE_NAMESPACE,
      image: e.SLIPWAY_IMAGE,
      registry: e.SLIPWAY_REGISTRY.replace(/\/+$/, ''),
      registryPull: (e.SLIPWAY_REGISTRY_PULL ?? e.SLIPWAY_REGISTRY).replace(/\/+$/, ''),
      registryInsecure: e.SLIPWAY_REGISTRY_INSECURE,
      registrySecret: e.SLIPWAY_REGISTRY_SECRET,
      imagePullSecrets: e.SLIPWAY_IMAGE_PULL_SECRETS,
      builderUsers: e.SLIPWAY_BUILDER_USERS,
      wildcardDns: e.SLIPWAY_WILDCARD_DNS,
      ingressService: { namespace: e.SLIPWAY_INGRESS_SERVICE.split('/')[0]!, name: e.SLIPWAY_INGRESS_SERVICE.split('/')[1]! },
      systemDomainSet: present.SLIPWAY_SYSTEM_DOMAIN !== undefined,
      s3Secret: e.SLIPWAY_S3_SECRET,
      builderImage: e.SLIPWAY_BUILDER_IMAGE,
      ingressClass: e.SLIPWAY_INGRESS_CLASS,
      tlsIssuer: e.SLIPWAY_TLS_ISSUER,
      stage: {
        cpu: e.SLIPWAY_STAGE_CPU, memory: e.SLIPWAY_STAGE_MEMORY, cpuLimit: e.SLIPWAY_STAGE_CPU_LIMIT, memoryLimit: e.SLIPWAY_STAGE_MEMORY_LIMIT,
        nodeSelector: keyValues(e.SLIPWAY_STAGE_NODE_SELECTOR),
        cacheSize: e.SLIPWAY_CACHE_SIZE, cacheStorageClass: e.SLIPWAY_CACHE_STORAGE_CLASS, ttlSeconds: e.SLIPWAY_STAGE_TTL_SECONDS,
      },
      pendingGraceMs: e.SLIPWAY_PENDING_GRACE_MS,
      rolloutTimeoutMs: e.SLIPWAY_ROLLOUT_TIMEOUT_MS,
      lease: { name: e.SLIPWAY_LEASE_NAME, durationMs: e.SLIPWAY_LEASE_DURATION_MS },
      identity: e.SLIPWAY_POD_NAME,
    },
  };
}

function keyValues(entries: string[]): Record<string, string> {
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}
