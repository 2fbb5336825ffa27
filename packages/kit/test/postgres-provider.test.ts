/**
 * Several processes (gateway workers, replicas) opening the same service database at once on a
 * fresh server: each creates the database and the schema if absent, and whichever loses the race
 * must still start (docs/architecture.md, distributed mode).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/db/postgres.ts';
import { POSTGRES_URL, serverUnavailable } from '../src/testing/index.ts';

const skip = await serverUnavailable('postgres');
const name = `portico_race_${randomBytes(4).toString('hex')}`;
const url = new URL(POSTGRES_URL);
url.pathname = `/${name}`;

describe.skipIf(skip)('PostgresProvider.forService', () => {
  const providers = Array.from({ length: 6 }, () => new PostgresProvider({ urlFor: () => url.toString() }));
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('opens one new database and schema from six racing callers, every one of them usable', async () => {
    const dbs = await Promise.all(providers.map((p) => p.forService('usage')));
    for (const db of dbs) {
      expect(db.schema).toBe(dbs[0]!.schema);
      await expect(db.ping()).resolves.toBeUndefined();
    }
  });
});
