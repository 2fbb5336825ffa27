/**
 * Renders the Kubernetes manifests of deploy/kubernetes/base/ from the services this repository
 * has (packages/cli discovery) and the figures below, so ten parts stay alike: plain YAML that is
 * committed, reviewed and applied with `kubectl apply -k deploy/kubernetes/base`.
 *
 *   npx node deploy/kubernetes/render.ts          rewrites deploy/kubernetes/base/
 *
 * test/deploy/kubernetes.test.ts fails when the committed files differ from a fresh render.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { discoverServices } from '../../packages/cli/src/discover.ts';

type Doc = Record<string, unknown>;

export const NAMESPACE = 'portico';
export const baseDir = path.join(import.meta.dirname, 'base');
export const SECRET = 'portico-secrets';
const rootPkg = JSON.parse(await readFile(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
  version: string;
};
export const VERSION = rootPkg.version;
const IMAGE = `portico:${VERSION}`;
const NATS_IMAGE = 'portico-nats:2.10-bookworm';
/** deploy/infra/Dockerfile's numeric users. */
const NATS_UID = 10101;
const UID = 10001;

/**
 * Memory from `docker stats` after deploy/test.sh's smoke run (docs/operations.md): every part
 * 120–155 MiB RSS. Requests sit just above that; limits leave room for bursts (identity hashes
 * passwords with argon2, 19 MiB each).
 */
const resources = (part: string) => ({
  requests: { cpu: part === 'gateway' ? '100m' : '50m', memory: part === 'identity' ? '192Mi' : '160Mi' },
  limits: { cpu: '1', memory: part === 'identity' ? '512Mi' : '384Mi' },
});

const labels = (part: string) => ({
  'app.kubernetes.io/name': part,
  'app.kubernetes.io/part-of': 'portico',
  'app.kubernetes.io/version': VERSION,
});
const selector = (part: string) => ({
  'app.kubernetes.io/name': part,
  'app.kubernetes.io/part-of': 'portico',
});
const secretEnv = (name: string, key = name) => ({
  name,
  valueFrom: { secretKeyRef: { name: SECRET, key } },
});
const envName = (service: string) => service.toUpperCase().replaceAll('-', '_');

/** The namespace a Prometheus (or any scraper) runs in carries this label. */
const metricsPeer = { namespaceSelector: { matchLabels: { 'portico.io/metrics': 'true' } } };

/** Pod and container security: a numeric non-root user, read-only root, no capabilities. */
const podSecurity = (uid: number, fsGroup = true) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  ...(fsGroup && { fsGroup: uid }),
  seccompProfile: { type: 'RuntimeDefault' },
});
const containerSecurity = {
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

function deployment(part: string, port: number, env: Doc[]): Doc {
  const probe = (p: string, extra: Doc = {}) => ({
    httpGet: { path: p, port: 'http' },
    periodSeconds: 10,
    timeoutSeconds: 3,
    ...extra,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: part, labels: labels(part) },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector(part) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(part),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port) },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurity(UID),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector(part) },
            },
          ],
          containers: [
            {
              name: part,
              image: IMAGE,
              args: ['start', part],
              ports: [{ name: 'http', containerPort: port }],
              env: [{ name: 'PORT', value: String(port) }, ...env],
              resources: resources(part),
              startupProbe: probe('/health/live', { periodSeconds: 2, failureThreshold: 60 }),
              livenessProbe: probe('/health/live', { failureThreshold: 3 }),
              readinessProbe: probe('/health/ready', { periodSeconds: 5, failureThreshold: 2 }),
              securityContext: containerSecurity,
            },
          ],
        },
      },
    },
  };
}

function service(part: string, port: number): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: part, labels: labels(part) },
    spec: { selector: selector(part), ports: [{ name: 'http', port, targetPort: 'http' }] },
  };
}

function pdb(part: string): Doc {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: part, labels: labels(part) },
    spec: { minAvailable: 1, selector: { matchLabels: selector(part) } },
  };
}

/** Who may open a connection to `part`: the gateway (or anyone, for the gateway) and the scraper. */
function networkPolicy(part: string, port: number, from: Doc[] | null): Doc {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: part, labels: labels(part) },
    spec: {
      podSelector: { matchLabels: selector(part) },
      policyTypes: ['Ingress'],
      ingress: [
        from ? { from, ports: [{ protocol: 'TCP', port }] } : { ports: [{ protocol: 'TCP', port }] },
        { from: [metricsPeer], ports: [{ protocol: 'TCP', port }] },
      ],
    },
  };
}

export interface Part {
  name: string;
  port: number;
}

export async function parts(): Promise<Part[]> {
  const services = (await discoverServices()).map((s) => ({ name: s.name, port: s.port }));
  return [{ name: 'gateway', port: 8000 }, ...services];
}

/** A variable from the `portico` ConfigMap (config.yaml), under `name` in the container. */
function fromConfig(key: string, name = key): Doc {
  return { name, valueFrom: { configMapKeyRef: { name: 'portico', key } } };
}

function partDocs(p: Part, all: Part[]): Doc[] {
  const common = [
    secretEnv('PORTICO_PASSPORT_SECRET'),
    { name: 'NATS_URL', valueFrom: { configMapKeyRef: { name: 'portico', key: 'NATS_URL' } } },
    fromConfig('PORTICO_PUBLIC_URL'),
  ];
  let env: Doc[];
  if (p.name === 'gateway') {
    env = [
      ...common,
      secretEnv('REDIS_URL'),
      secretEnv('USAGE_DATABASE_URL'),
      secretEnv('PORTICO_METRICS_TOKEN'),
      ...all
        .filter((s) => s.name !== 'gateway')
        .map((s) => ({ name: `PORTICO_UPSTREAM_${envName(s.name)}`, value: `http://${s.name}:${s.port}` })),
    ];
  } else {
    env = [...common, secretEnv('DATABASE_URL', `DATABASE_URL_${envName(p.name)}`)];
    if (p.name === 'identity')
      env.push(
        secretEnv('IDENTITY_KEY_ENCRYPTION_KEY'),
        secretEnv('PORTICO_ADMIN_PASSWORD'),
        fromConfig('PORTICO_ADMIN_EMAIL'),
        fromConfig('PORTICO_PUBLIC_URL', 'IDENTITY_OIDC_ISSUER'),
      );
  }
  const gatewayPeer = { podSelector: { matchLabels: selector('gateway') } };
  return [
    deployment(p.name, p.port, env),
    service(p.name, p.port),
    pdb(p.name),
    networkPolicy(p.name, p.port, p.name === 'gateway' ? null : [gatewayPeer]),
  ];
}

async function natsDocs(): Promise<Doc[]> {
  const conf = await readFile(path.join(import.meta.dirname, '../infra/nats.conf'), 'utf8');
  const l = labels('nats');
  const portico = { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'portico' } } };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'nats', labels: l },
      data: { 'nats.conf': conf },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nats', labels: l },
      spec: {
        clusterIP: 'None',
        selector: selector('nats'),
        ports: [
          { name: 'client', port: 4222, targetPort: 'client' },
          { name: 'monitor', port: 8222, targetPort: 'monitor' },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'nats', labels: l },
      spec: {
        serviceName: 'nats',
        replicas: 1,
        selector: { matchLabels: selector('nats') },
        template: {
          metadata: { labels: l },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 60,
            securityContext: podSecurity(NATS_UID),
            containers: [
              {
                name: 'nats',
                image: NATS_IMAGE,
                args: ['-c', '/etc/nats/nats.conf'],
                ports: [
                  { name: 'client', containerPort: 4222 },
                  { name: 'monitor', containerPort: 8222 },
                ],
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '1Gi' } },
                startupProbe: {
                  httpGet: { path: '/healthz', port: 'monitor' },
                  periodSeconds: 2,
                  failureThreshold: 60,
                },
                livenessProbe: {
                  httpGet: { path: '/healthz?js-enabled-only=true', port: 'monitor' },
                  periodSeconds: 10,
                },
                readinessProbe: {
                  httpGet: { path: '/healthz?js-enabled-only=true', port: 'monitor' },
                  periodSeconds: 5,
                },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/nats', readOnly: true },
                  { name: 'data', mountPath: '/data' },
                ],
                securityContext: containerSecurity,
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'nats' } }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'nats', labels: l },
      spec: {
        podSelector: { matchLabels: selector('nats') },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [portico], ports: [{ protocol: 'TCP', port: 4222 }] },
          { from: [metricsPeer], ports: [{ protocol: 'TCP', port: 8222 }] },
        ],
      },
    },
  ];
}

/** `portico migrate all` before a rollout (services also migrate at start; a lock serialises). */
function migrateJob(all: Part[]): Doc {
  const services = all.filter((p) => p.name !== 'gateway');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `portico-migrate-${VERSION.replaceAll('.', '-')}`, labels: labels('migrate') },
    spec: {
      backoffLimit: 6,
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels: labels('migrate') },
        spec: {
          restartPolicy: 'OnFailure',
          automountServiceAccountToken: false,
          securityContext: podSecurity(UID, false),
          containers: [
            {
              name: 'migrate',
              image: IMAGE,
              args: ['migrate', 'all'],
              env: services.map((s) => secretEnv(`DATABASE_URL_${envName(s.name)}`)),
              resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
              securityContext: containerSecurity,
            },
          ],
        },
      },
    },
  };
}

/** Every file of deploy/kubernetes/base/ and its YAML text. */
export async function render(): Promise<Map<string, string>> {
  const all = await parts();
  const files = new Map<string, Doc[]>();
  files.set('namespace.yaml', [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: NAMESPACE,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    },
  ]);
  files.set('config.yaml', [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'portico', labels: { 'app.kubernetes.io/part-of': 'portico' } },
      // PORTICO_PUBLIC_URL: the origin clients use (https://api.example.com) — the OpenID issuer
      // and the base of problem type URIs; empty serves loopback origins only (port-forward).
      data: {
        NATS_URL: 'nats://nats:4222',
        PORTICO_ADMIN_EMAIL: 'admin@portico.local',
        PORTICO_PUBLIC_URL: '',
      },
    },
  ]);
  files.set('nats.yaml', await natsDocs());
  for (const p of all) files.set(`${p.name}.yaml`, partDocs(p, all));
  files.set('migrate-job.yaml', [migrateJob(all)]);

  files.set('kustomization.yaml', [
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: NAMESPACE,
      resources: [...files.keys()],
      images: [
        { name: 'portico', newTag: VERSION },
        { name: 'portico-nats', newTag: NATS_IMAGE.split(':')[1] },
      ],
    },
  ]);

  // Formatted as `npm run lint` (prettier) wants it, so the committed files pass both checks.
  const options = { ...(await resolveConfig(path.join(baseDir, 'x.yaml'))), parser: 'yaml' };
  const header = '# Generated by deploy/kubernetes/render.ts: edit that, then run it.\n';
  const out = new Map<string, string>();
  for (const [file, docs] of files)
    out.set(
      file,
      await format(header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'), options),
    );
  return out;
}

if (import.meta.filename === process.argv[1]) {
  for (const [file, text] of await render()) await writeFile(path.join(baseDir, file), text);
  console.log(`wrote ${baseDir}`);
}
