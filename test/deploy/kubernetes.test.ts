/**
 * The Kubernetes manifests of deploy/kubernetes/base: what render.ts writes, valid against the
 * Kubernetes API schemas (kubernetes-models), and shaped as docs/operations.md promises.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parts, render, VERSION } from '../../deploy/kubernetes/render.ts';
import { committedManifests, manifestDocs, root, type Doc } from './manifests.ts';

const models: Record<string, new (d: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};
const validate = (d: Doc) => {
  const Model = models[`${d.apiVersion}/${d.kind}`];
  if (!Model) throw new Error(`no schema for ${d.apiVersion} ${d.kind}`);
  new Model(d).validate();
};

const docs = manifestDocs();
const of = (kind: string) => docs.filter((d) => d.kind === kind);
const selects = (d: Doc, labels: Record<string, string>) =>
  Object.entries(d.spec.selector?.matchLabels ?? d.spec.podSelector.matchLabels).every(
    ([k, v]) => labels[k] === v,
  );

describe('Kubernetes manifests', () => {
  it('are exactly what deploy/kubernetes/render.ts writes', async () => {
    expect(Object.fromEntries(committedManifests())).toEqual(Object.fromEntries(await render()));
  });

  it('validate against the Kubernetes schemas, every object of every file', () => {
    expect(docs.length).toBeGreaterThan(40);
    for (const d of docs) expect(() => validate(d), `${d.kind} ${d.metadata?.name}`).not.toThrow();
  });

  it('a manifest the API server would refuse fails the same validation', () => {
    const bad = structuredClone(of('Deployment')[0]!);
    bad.spec.template.spec.securityContext.runAsUser = 'node';
    expect(() => validate(bad)).toThrow(/runAsUser must be integer/);
  });

  it('the kustomization lists every file and pins the image tags by version', () => {
    const k = parse(committedManifests().get('kustomization.yaml')!) as Doc;
    expect([...k.resources].sort()).toEqual(
      [...committedManifests().keys()].filter((f) => f !== 'kustomization.yaml').sort(),
    );
    expect(k.images).toContainEqual({ name: 'portico', newTag: VERSION });
  });

  it('runs every part non-root by number, read-only, with requests, limits and health probes', async () => {
    const names = (await parts()).map((p) => p.name);
    expect(
      of('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([...names].sort());
    for (const d of [...of('Deployment'), ...of('StatefulSet'), ...of('Job')]) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      for (const c of pod.containers) {
        expect(c.image).toMatch(/:[0-9][\w.-]*$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
        expect(c.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      }
    }
    for (const d of of('Deployment')) {
      const c = d.spec.template.spec.containers[0];
      expect(c.image).toBe(`portico:${VERSION}`);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(c.ports).toEqual([
        { name: 'http', containerPort: Number(c.env.find((e: Doc) => e.name === 'PORT').value) },
      ]);
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    }
  });

  it('gives every part a PodDisruptionBudget and a NetworkPolicy: only the gateway and the metrics namespace reach a service', () => {
    for (const d of of('Deployment')) {
      const labels = d.spec.template.metadata.labels;
      expect(
        of('PodDisruptionBudget').filter((p) => selects(p, labels)),
        d.metadata.name,
      ).toHaveLength(1);
      const policies = of('NetworkPolicy').filter((p) => selects(p, labels));
      expect(policies, d.metadata.name).toHaveLength(1);
      const peers = policies[0]!.spec.ingress.flatMap((r: Doc) => r.from ?? [{ anyone: true }]);
      const metrics = { namespaceSelector: { matchLabels: { 'portico.io/metrics': 'true' } } };
      if (d.metadata.name === 'gateway') expect(peers).toEqual([{ anyone: true }, metrics]);
      else
        expect(peers).toEqual([
          {
            podSelector: {
              matchLabels: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/part-of': 'portico' },
            },
          },
          metrics,
        ]);
    }
  });

  it('runs NATS as a StatefulSet with JetStream on a volume and sync_interval: always', () => {
    const [nats] = of('StatefulSet');
    expect(nats!.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    const conf = of('ConfigMap').find((c) => c.metadata.name === 'nats')!.data['nats.conf'];
    expect(conf).toMatch(/jetstream\s*\{[^}]*sync_interval:\s*always/);
    expect(conf).toBe(readFileSync(path.join(root, 'deploy/infra/nats.conf'), 'utf8'));
  });

  it('lets identity replicas share one key-encryption key and the passport secret from a Secret', () => {
    const identity = of('Deployment').find((d) => d.metadata.name === 'identity')!;
    const env = identity.spec.template.spec.containers[0].env as Doc[];
    for (const name of ['IDENTITY_KEY_ENCRYPTION_KEY', 'PORTICO_PASSPORT_SECRET', 'PORTICO_ADMIN_PASSWORD'])
      expect(env.find((e) => e.name === name)?.valueFrom?.secretKeyRef?.name, name).toBe('portico-secrets');
  });

  it('reads only Secret keys that secrets.env.example documents, and ConfigMap keys that exist', () => {
    const documented = readFileSync(path.join(root, 'deploy/kubernetes/secrets.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z]/.test(l))
      .map((l) => l.split('=')[0]);
    const configMaps = new Map(of('ConfigMap').map((c) => [c.metadata.name, c.data]));
    for (const d of [...of('Deployment'), ...of('Job')])
      for (const e of d.spec.template.spec.containers[0].env ?? []) {
        const secret = e.valueFrom?.secretKeyRef;
        if (secret) expect(documented, `${d.metadata.name} ${e.name}`).toContain(secret.key);
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm) expect(configMaps.get(cm.name), `${d.metadata.name} ${e.name}`).toHaveProperty(cm.key);
      }
  });
});
