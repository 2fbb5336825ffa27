/**
 * Embedded-mode ports: each service declares its own in `services/<name>/package.json`
 * (`portico.port`); `portico.yaml` points the gateway at the same one. A new service takes
 * the first port that neither names nor reserves.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The gateway (8000) and the services of docs/services.md, built or still to come. */
export const RESERVED_PORTS: Readonly<Record<string, number>> = {
  gateway: 8000,
  identity: 8001,
  notifications: 8002,
  orders: 8003,
  shipping: 8004,
  tasks: 8005,
  students: 8006,
  curriculum: 8007,
  staff: 8008,
  finance: 8009,
};

/** `portico.port` of every `services/<name>/package.json` that declares one. */
export async function declaredPorts(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let entries: string[] = [];
  try {
    entries = await readdir(path.join(root, 'services'));
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    try {
      const pkg = JSON.parse(await readFile(path.join(root, 'services', name, 'package.json'), 'utf8')) as {
        portico?: { port?: unknown };
      };
      if (typeof pkg.portico?.port === 'number') out.set(name, pkg.portico.port);
    } catch {
      // not a service folder
    }
  }
  return out;
}

/** The ports of every instance URL in a portico.yaml text (whatever the host). */
export function configuredPorts(yamlText: string): Set<number> {
  const doc = parseYaml(yamlText) as { services?: Record<string, { instances?: unknown }> } | null;
  const out = new Set<number>();
  for (const svc of Object.values(doc?.services ?? {})) {
    for (const url of Array.isArray(svc?.instances) ? svc.instances : []) {
      const port = portOf(String(url));
      if (port !== null) out.add(port);
    }
  }
  return out;
}

/** The port of an http(s) URL, explicit or implied by its scheme; null when it is no URL. */
export function portOf(url: string): number | null {
  try {
    const u = new URL(url);
    if (u.port) return Number(u.port);
    return u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : null;
  } catch {
    return null;
  }
}

/**
 * The port for a new service: its reserved one if it is one of docs/services.md's and that port
 * is free, else the first free port from 8010.
 */
export function pickPort(name: string, taken: Iterable<number>): number {
  const inUse = new Set(taken);
  const reserved = RESERVED_PORTS[name];
  if (reserved !== undefined && !inUse.has(reserved)) return reserved;
  const used = new Set<number>([...Object.values(RESERVED_PORTS), ...inUse]);
  let port = 8010;
  while (used.has(port)) port++;
  return port;
}
