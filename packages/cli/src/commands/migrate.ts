/**
 * `portico migrate <service|all>`: apply a service's migrations without starting it (distributed
 * mode, e.g. as a Kubernetes Job before a rollout). Uses `DATABASE_URL` (one service) or
 * `DATABASE_URL_<NAME>` per service with `all`. Services also migrate at start; both are safe
 * together (an advisory lock serialises them).
 */
import { kitMigrations, loadMigrations, PostgresProvider, runMigrations } from '@portico/kit/runtime';
import { discoverServices } from '../discover.ts';
import { databaseUrlOf } from '../env.ts';

export async function run(args: string[]): Promise<number> {
  const target = args[0];
  if (!target) {
    console.error('usage: portico migrate <service|all>');
    return 2;
  }
  const all = await discoverServices();
  const chosen = target === 'all' ? all : all.filter((s) => s.name === target);
  if (chosen.length === 0) {
    console.error(`no service named ${target}; known: ${all.map((s) => s.name).join(', ')}`);
    return 2;
  }
  for (const svc of chosen) {
    const url = databaseUrlOf(svc.name, target !== 'all');
    if (!url) {
      console.error(`${svc.name}: set DATABASE_URL${target === 'all' ? `_${svc.name.toUpperCase()}` : ''}`);
      return 2;
    }
    const def = await svc.load();
    const provider = new PostgresProvider({ urlFor: () => url, poolSize: 1 });
    try {
      const store = await provider.forService(def.name);
      const migrations =
        def.migrations instanceof URL ? await loadMigrations(def.migrations) : def.migrations;
      const applied = await runMigrations(store, [...kitMigrations, ...migrations]);
      console.log(`${def.name}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    } finally {
      await provider.close();
    }
  }
  return 0;
}
