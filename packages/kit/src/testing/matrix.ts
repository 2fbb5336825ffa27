/**
 * The storage × bus matrix. `PORTICO_TEST_DB` = pglite | postgres and `PORTICO_TEST_BUS` =
 * memory | nats choose the backends; every kit and system test runs over whichever is chosen,
 * and `npm test` runs all four combinations of the suites that depend on them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PGliteProvider } from '../db/pglite.ts';
import { PostgresProvider } from '../db/postgres.ts';
import type { DatabaseProvider } from '../db/database.ts';
import { MemoryBus } from '../events/memory-bus.ts';
import { NatsBus } from '../events/nats-bus.ts';
import type { EventBus } from '../events/bus.ts';
import { NATS_URL, POSTGRES_URL, serverUnavailable } from './servers.ts';

export type DbKind = 'pglite' | 'postgres';
export type BusKind = 'memory' | 'nats';

export const testDbKind: DbKind = process.env.PORTICO_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
export const testBusKind: BusKind = process.env.PORTICO_TEST_BUS === 'nats' ? 'nats' : 'memory';
export const matrixLabel = `${testDbKind}+${testBusKind}`;

/** Whether the chosen matrix cell can run here (null) or why not. */
export async function matrixUnavailable(): Promise<string | null> {
  if (testDbKind === 'postgres') {
    const r = await serverUnavailable('postgres');
    if (r) return r;
  }
  if (testBusKind === 'nats') {
    const r = await serverUnavailable('nats');
    if (r) return r;
  }
  return null;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

// A fresh PGlite costs seconds to initialise; a snapshot of an initialised one loads in about
// one. The first test file to need it writes it; the rest load it.
const SNAPSHOT = path.join(os.tmpdir(), 'portico-test-pglite-0.5.tar.gz');
async function pgliteSnapshot(): Promise<Blob | undefined> {
  try {
    await stat(SNAPSHOT);
    return new Blob([await readFile(SNAPSHOT)]);
  } catch {
    return undefined;
  }
}

export interface TestDatabase {
  provider: DatabaseProvider;
  /** Drops what the test created (PostgreSQL databases) and closes pools. */
  cleanup(): Promise<void>;
}

export async function openTestDatabase(kind: DbKind = testDbKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const snap = await pgliteSnapshot();
    const provider = await PGliteProvider.open(snap ? { loadDataDir: snap } : {});
    if (!snap) {
      const dump = await provider.instance.dumpDataDir('gzip');
      await mkdir(path.dirname(SNAPSHOT), { recursive: true });
      const tmp = `${SNAPSHOT}.${process.pid}.tmp`;
      await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
      await import('node:fs/promises').then((fs) => fs.rename(tmp, SNAPSHOT));
    }
    return { provider, cleanup: () => provider.close() };
  }
  const prefix = uniqueName('portico_test');
  const created: string[] = [];
  const provider = new PostgresProvider({
    urlFor: (service) => {
      const u = new URL(POSTGRES_URL);
      const name = `${prefix}_${service.replaceAll('-', '_')}`;
      if (!created.includes(name)) created.push(name);
      u.pathname = `/${name}`;
      return u.toString();
    },
    poolSize: 5,
  });
  return {
    provider,
    cleanup: async () => {
      await provider.close();
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export interface TestBus {
  bus: EventBus;
  cleanup(): Promise<void>;
}

export async function openTestBus(kind: BusKind = testBusKind): Promise<TestBus> {
  if (kind === 'memory') {
    const bus = new MemoryBus();
    return { bus, cleanup: () => bus.close() };
  }
  const name = uniqueName('PORTICO_TEST').toUpperCase();
  const bus = await NatsBus.connect({ url: NATS_URL, stream: name, prefix: name.toLowerCase() });
  return {
    bus,
    cleanup: async () => {
      await bus.destroyStream();
      await bus.close();
    },
  };
}
