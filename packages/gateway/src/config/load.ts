/**
 * Reads `portico.yaml`: parse, apply `PORTICO_UPSTREAM_<NAME>` overrides, validate. Mistakes
 * come back together in one `ConfigError`, each with its YAML path and line.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { validateGatewayConfig, type ConfigIssue } from './validate.ts';
import type { GatewayConfig } from './schema.ts';
import { namedVariable } from './env.ts';

export class ConfigError extends Error {
  readonly errors: ConfigIssue[];
  readonly file: string | undefined;
  constructor(errors: ConfigIssue[], file?: string) {
    const where = file ? `${file}: ` : '';
    super(
      `${where}${errors.length} configuration error${errors.length === 1 ? '' : 's'}:\n` +
        errors
          .map((e) => `  ${e.line ? `line ${e.line}: ` : ''}${e.path || '(document)'}: ${e.message}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
    this.errors = errors;
    this.file = file;
  }
}

/** The variable that overrides service `name`'s instances: `order-history` → `PORTICO_UPSTREAM_ORDER_HISTORY`. */
export function upstreamVariable(name: string): string {
  return `PORTICO_UPSTREAM_${name.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * The instances `PORTICO_UPSTREAM_<NAME>=http://10.0.0.5:8003,http://10.0.0.6:8003` gives service
 * `name` (undefined when unset). The gateway and the CLI both read the overrides through this.
 */
export function upstreamOverride(name: string, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = namedVariable(upstreamVariable(name), env);
  if (!value) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Every `PORTICO_UPSTREAM_<NAME>` set for a service of `config` replaces its `instances`. */
export function applyEnvOverrides(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
): GatewayConfig {
  let services = config.services;
  for (const name of Object.keys(config.services)) {
    const instances = upstreamOverride(name, env);
    if (!instances) continue;
    if (services === config.services) services = { ...config.services };
    services[name] = { ...config.services[name]!, instances };
  }
  return services === config.services ? config : { ...config, services };
}

/** Service name → instance base URLs (what the CLI uses to reach services). */
export function serviceUrls(config: GatewayConfig): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, svc] of Object.entries(config.services))
    out[name] = svc.instances.map((u) => u.replace(/\/$/, ''));
  return out;
}

/** Parses and validates YAML text; the overrides are applied before validation. */
export function parseGatewayConfig(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; config: GatewayConfig } | { ok: false; errors: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        line: lines.linePos(e.pos[0]).line,
      })),
    };
  }
  const raw: unknown = doc.toJS();
  const withEnv =
    raw && typeof raw === 'object' && 'services' in raw && raw.services && typeof raw.services === 'object'
      ? applyEnvOverrides(raw as GatewayConfig, env)
      : raw;
  const result = validateGatewayConfig(withEnv);
  if (result.ok) return result;
  for (const issue of result.errors) {
    const keys = issue.path
      .split(/\.|\[(\d+)\]/)
      .filter((k) => k !== undefined && k !== '')
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    // Walk up until a node that exists in the file (a missing key points at its parent).
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true);
      if (isNode(node) && node.range) {
        issue.line = lines.linePos(node.range[0]).line;
        break;
      }
      const pair = n > 0 ? undefined : doc.contents;
      if (isNode(pair) && pair.range) issue.line = lines.linePos(pair.range[0]).line;
    }
  }
  return result;
}

/**
 * Loads and validates a gateway config file.
 *
 * @example
 *   const config = await loadGatewayConfig('portico.yaml'); // throws ConfigError listing every mistake
 */
export async function loadGatewayConfig(path: string): Promise<GatewayConfig> {
  const text = await readFile(path, 'utf8');
  const result = parseGatewayConfig(text);
  if (!result.ok) throw new ConfigError(result.errors, path);
  return result.config;
}
