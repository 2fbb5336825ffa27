/**
 * A service's embedded port is declared once, in `services/<name>/package.json`
 * (`portico.port`: the port the platform starts it on). `portico.yaml` names the same port in
 * the service's instance URL, so the gateway finds it. This cross-check makes `portico check`
 * fail when the two disagree, naming both, instead of the gateway answering 502 at run time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { repoRoot } from './discover.ts';
import { declaredPorts, portOf } from './scaffold/ports.ts';

export interface PortIssue {
  path: string;
  message: string;
  line?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The repository whose services a config file describes: its own folder when it has services/. */
export function servicesRootFor(configFile: string): string {
  const dir = path.dirname(path.resolve(configFile));
  return existsSync(path.join(dir, 'services')) ? dir : repoRoot;
}

/**
 * Every loopback instance URL (embedded mode) of a service that also has a folder under
 * `root/services/` must use the port its package.json declares. Instances on other hosts
 * (a distributed file) and services without a folder are not compared.
 */
export async function servicePortIssues(yamlText: string, root: string): Promise<PortIssue[]> {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lines, prettyErrors: false });
  const services = doc.get('services', true);
  if (doc.errors.length || !isMap(services)) return [];
  const declared = await declaredPorts(root);
  const issues: PortIssue[] = [];
  for (const pair of services.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const port = declared.get(name);
    const instances = isMap(pair.value) ? pair.value.get('instances', true) : undefined;
    if (port === undefined || !isSeq(instances)) continue;
    instances.items.forEach((item, i) => {
      if (!isScalar(item) || typeof item.value !== 'string') return;
      const url = item.value;
      let host: string;
      try {
        host = new URL(url).host.replace(/:\d+$/, '');
      } catch {
        return; // the schema check reports a malformed URL
      }
      const configured = portOf(url);
      if (!LOOPBACK.has(host) || configured === port) return;
      issues.push({
        path: `services.${name}.instances[${i}]`,
        message: `port ${configured} does not match services/${name}/package.json "portico.port" ${port} (the port ${name} listens on in embedded mode)`,
        ...(item.range && { line: lines.linePos(item.range[0]).line }),
      });
    });
  }
  return issues;
}
