/**
 * Every environment variable a part needs is set for it in compose and in the Kubernetes
 * manifests, and every variable set there is one the part reads (a typo would be silently
 * ignored otherwise). What a part reads comes from its code: `env.NAME` in the CLI's start path,
 * the kit and the gateway, and each service's settings schema.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { discoverServices } from '../../packages/cli/src/discover.ts';
import { composeEnv, manifestEnv, root, type Doc } from './manifests.ts';

const sources = [
  'packages/cli/src/platform.ts',
  'packages/cli/src/secrets.ts',
  'packages/cli/src/shutdown.ts',
  'packages/kit/src/runtime/start-service.ts',
  'packages/kit/src/observability/logger.ts',
  'packages/kit/src/observability/tracing.ts',
  'packages/kit/src/errors/registry.ts', // PORTICO_PUBLIC_URL: the base of problem type URIs
  'packages/gateway/src/gateway.ts',
];
const scanned = new Set(
  sources
    .flatMap((f) => [
      ...readFileSync(path.join(root, f), 'utf8').matchAll(
        /\benv\.([A-Z][A-Z0-9_]+)|requireSecret\(env, '([A-Z0-9_]+)'\)/g,
      ),
    ])
    .map((m) => (m[1] ?? m[2])!),
);
const gatewayConfig = parse(readFileSync(path.join(root, 'portico.yaml'), 'utf8')) as Doc;
const metricsTokenEnv = gatewayConfig.metrics?.token_env as string | undefined;
const upstream = (service: string) => `PORTICO_UPSTREAM_${service.toUpperCase().replaceAll('-', '_')}`;

interface Needs {
  required: string[];
  reads: (name: string) => boolean;
}

async function needs(): Promise<Map<string, Needs>> {
  const out = new Map<string, Needs>();
  // startPart refuses to start a service without these; the gateway starts without Redis and
  // NATS but then keeps rate limits and revocations per replica, so a deployment sets them.
  out.set('gateway', {
    required: [
      'PORTICO_PASSPORT_SECRET',
      'NATS_URL',
      'REDIS_URL',
      'USAGE_DATABASE_URL', // usage analytics (docs/usage.md)
      ...(metricsTokenEnv ? [metricsTokenEnv] : []), // else /metrics answers loopback only
      ...Object.keys(gatewayConfig.services).map(upstream),
    ],
    reads: (n) => scanned.has(n) || n.startsWith('PORTICO_UPSTREAM_') || n === metricsTokenEnv,
  });
  for (const svc of await discoverServices()) {
    const def = await svc.load();
    const schema = (def.settings ?? { properties: {}, required: [] }) as {
      properties: Record<string, { default?: unknown }>;
      required?: string[];
    };
    const settingsRequired = (schema.required ?? []).filter(
      (k) => schema.properties[k]?.default === undefined,
    );
    // Optional in code, but the fallback writes a generated value to the part's data dir, which
    // is read-only and per replica in a deployment: two identity replicas need one shared key.
    const persisted =
      svc.name === 'identity' ? ['IDENTITY_KEY_ENCRYPTION_KEY', 'PORTICO_ADMIN_PASSWORD'] : [];
    out.set(svc.name, {
      required: [
        'PORTICO_PASSPORT_SECRET',
        'DATABASE_URL',
        'NATS_URL',
        ...settingsRequired,
        ...persisted,
        ...(def.calls ?? []).map(upstream),
      ],
      reads: (n) => scanned.has(n) || n in schema.properties || n.startsWith('PORTICO_UPSTREAM_'),
    });
  }
  return out;
}

const parts = await needs();

describe('environment variables of each part', () => {
  it('the scan of the start path finds what startPart is known to read', () => {
    for (const n of [
      'PORTICO_PASSPORT_SECRET',
      'DATABASE_URL',
      'NATS_URL',
      'REDIS_URL',
      'PORT',
      'PORTICO_LOG_LEVEL',
    ])
      expect(scanned, n).toContain(n);
    expect(parts.size).toBeGreaterThanOrEqual(10);
  });

  for (const [where, envOf] of [
    ['compose', () => composeEnv()],
    ['the Kubernetes manifests', () => manifestEnv()],
  ] as const) {
    it(`${where} run every part and set each variable it needs`, () => {
      const env = envOf();
      expect([...env.keys()].sort()).toEqual([...parts.keys()].sort());
      for (const [part, n] of parts) {
        const missing = n.required.filter((v) => !env.get(part)!.has(v));
        expect(missing, `${part} in ${where}`).toEqual([]);
      }
    });

    it(`${where} set no variable a part does not read`, () => {
      for (const [part, names] of envOf()) {
        const unknown = [...names].filter((v) => !parts.get(part)!.reads(v));
        expect(unknown, `${part} in ${where}`).toEqual([]);
      }
    });
  }
});
