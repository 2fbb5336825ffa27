/**
 * Finds the services of this repository: every `services/<name>/package.json` with a
 * `portico` field ({ "port": 8003 }) whose default export is a `defineService()` definition.
 * Adding a service is adding a folder; nothing else lists them.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceDefinition } from '@portico/kit';

export interface DiscoveredService {
  name: string;
  /** The embedded-mode port (docs/services.md). */
  port: number;
  dir: string;
  load(): Promise<ServiceDefinition>;
}

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

export async function discoverServices(root = repoRoot): Promise<DiscoveredService[]> {
  const dir = path.join(root, 'services');
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const found: DiscoveredService[] = [];
  for (const entry of entries.sort()) {
    let pkg: { name?: string; exports?: Record<string, string> | string; portico?: { port?: number } };
    try {
      pkg = JSON.parse(await readFile(path.join(dir, entry, 'package.json'), 'utf8')) as typeof pkg;
    } catch {
      continue;
    }
    if (!pkg.portico) continue;
    const exp = typeof pkg.exports === 'string' ? pkg.exports : (pkg.exports?.['.'] ?? './src/service.ts');
    const file = path.join(dir, entry, exp);
    found.push({
      name: entry,
      port: pkg.portico.port ?? 0,
      dir: path.join(dir, entry),
      load: async () => {
        const mod = (await import(pathToFileURL(file).href)) as { default?: ServiceDefinition };
        if (!mod.default?.name) throw new Error(`${file} must export default defineService({...})`);
        return mod.default;
      },
    });
  }
  return found;
}
