/**
 * The gateway's merged `/openapi.json`, built the way users get it: the whole platform in memory
 * (`startEmbedded`, PGlite, free ports), one GET, then stopped. `version` asks for the document
 * of a dated API version (`/openapi.json?version=YYYY-MM-DD`) when the gateway has versions; the
 * version the gateway says it described (the `Portico-Version` response header, or
 * `info.x-portico-version`) comes back with the document.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startEmbedded } from '@portico/cli';

type Json = Record<string, any>;

export interface GatewayDocuments {
  /** The document (of `version`, when given and the gateway knows versions). */
  get(version?: string): Promise<{ doc: Json; version: string | null }>;
  stop(): Promise<void>;
}

export async function openGatewayDocuments(): Promise<GatewayDocuments> {
  process.env.PORTICO_LOG_LEVEL ??= 'warn';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'portico-openapi-'));
  const platform = await startEmbedded({
    inMemory: true,
    dataDir,
    servicePorts: 'ephemeral',
    port: 0,
    env: { ...process.env, PORTICO_ADMIN_PASSWORD: randomBytes(18).toString('base64url') },
  });
  return {
    async get(version) {
      const q = version ? `?version=${encodeURIComponent(version)}` : '';
      const res = await fetch(`${platform.gatewayUrl}/openapi.json${q}`);
      if (res.status !== 200) throw new Error(`GET /openapi.json${q} answered ${res.status}`);
      const doc = (await res.json()) as Json;
      const described =
        res.headers.get('portico-version') ?? (doc.info?.['x-portico-version'] as string | undefined) ?? null;
      return { doc, version: described };
    },
    async stop() {
      await platform.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where the committed snapshot lives; `npm run openapi:snapshot` rewrites it. */
export const SNAPSHOT_FILE = path.resolve(import.meta.dirname, '../../openapi/snapshot.json');

/** The snapshot: the document as served, with the API version it describes in `info.x-portico-version`. */
export function snapshotOf(doc: Json, version: string | null): Json {
  const info = { ...doc.info, ...(version && { 'x-portico-version': version }) };
  return { ...doc, info };
}
