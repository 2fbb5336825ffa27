/**
 * Validates a parsed `portico.yaml`: first the schema (shape, enums, units), then the rules a
 * schema cannot express (a route's service exists, policies are defined, no route shadows
 * another). Every mistake is reported with its YAML path and, where there is a closed set,
 * the allowed values (style.md §13).
 */
import { BlockList, isIP } from 'node:net';
import { Ajv, type ErrorObject } from 'ajv';
import { gatewayConfigSchema, DURATION_PATTERN, SIZE_PATTERN } from './schema.ts';
import type { GatewayConfig, RouteConfig } from './schema.ts';
import { DURATION_BUCKETS } from '../observe/metrics.ts';
import { parseDuration } from './units.ts';

export interface ConfigIssue {
  /** YAML path, e.g. `routes[3].auth`. */
  path: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export type ValidationResult = { ok: true; config: GatewayConfig } | { ok: false; errors: ConfigIssue[] };

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateSchema = ajv.compile(gatewayConfigSchema);

/** `/routes/3/auth` → `routes[3].auth` */
export function toYamlPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function messageFor(e: ErrorObject): ConfigIssue {
  const path = toYamlPath(e.instancePath);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent?.properties as Record<string, unknown>) ?? {});
      return { path: join(path, key), message: `unknown field (allowed: ${allowed.join(', ')})` };
    }
    case 'required':
      return {
        path: join(path, (e.params as { missingProperty: string }).missingProperty),
        message: 'is required',
      };
    case 'enum':
      return {
        path,
        message: `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')} (got ${describe(e.data)})`,
      };
    case 'const':
      return { path, message: `must be ${describe((e.params as { allowedValue: unknown }).allowedValue)}` };
    case 'pattern': {
      const pattern = (e.params as { pattern: string }).pattern;
      if (pattern === DURATION_PATTERN)
        return { path, message: `must be a duration like 250ms, 2s, 1m, 24h (got ${describe(e.data)})` };
      if (pattern === SIZE_PATTERN)
        return { path, message: `must be a size like 512kb or 1mb (got ${describe(e.data)})` };
      if (pattern === '^/') return { path, message: `must start with / (got ${describe(e.data)})` };
      return { path, message: `must match ${pattern} (got ${describe(e.data)})` };
    }
    case 'propertyNames':
      return {
        path: join(path, (e.params as { propertyName: string }).propertyName),
        message: 'a name must start with a lower-case letter and hold only a-z, 0-9, - or _',
      };
    case 'anyOf':
    case 'oneOf':
      return {
        path,
        message: `must be ${String(parent?.['x-hint'] ?? 'of another form')} (got ${describe(e.data)})`,
      };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/**
 * Ajv reports one error per failed `anyOf` branch. When a branch got inside the value (an
 * object with a bad field), its deeper errors say what is wrong; otherwise one message naming
 * the accepted forms does.
 */
function schemaIssues(errors: ErrorObject[]): ConfigIssue[] {
  const drop = new Set<ErrorObject>();
  for (const alt of errors) {
    if (alt.keyword !== 'anyOf' && alt.keyword !== 'oneOf') continue;
    const branch = errors.filter((e) => e.schemaPath.startsWith(alt.schemaPath + '/'));
    const deeper = branch.filter((e) => e.instancePath.startsWith(alt.instancePath + '/'));
    for (const e of branch) if (!deeper.includes(e)) drop.add(e);
    if (deeper.length) drop.add(alt);
  }
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (drop.has(e) || e.propertyName !== undefined) continue;
    const issue = messageFor(e);
    const id = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(issue);
    }
  }
  return out;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The `{name}` parameters of a path template, or an error message. */
export function templateParams(template: string): string[] | string {
  const names: string[] = [];
  for (const seg of template.split('/').slice(1)) {
    if (seg.includes('{') || seg.includes('}')) {
      const m = PARAM.exec(seg);
      if (!m) return `segment "${seg}" must be a whole {name} parameter`;
      if (names.includes(m[1]!)) return `parameter {${m[1]}} appears twice`;
      names.push(m[1]!);
    } else if (seg.includes('*')) return 'wildcards are not supported: use prefix: instead';
  }
  return names;
}

function semanticIssues(doc: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const services = Object.keys(doc.services ?? {});
  const rateLimits = Object.keys(doc.policies?.rate_limits ?? {});
  const corsNames = Object.keys(doc.cors ?? {});
  const checkPolicies = (names: string[] | undefined, path: string) =>
    names?.forEach((n, j) => {
      if (!rateLimits.includes(n))
        issues.push({
          path: `${path}[${j}]`,
          message: `unknown rate-limit policy "${n}" (defined: ${rateLimits.join(', ') || 'none'})`,
        });
    });
  const checkCors = (name: string | false | undefined, path: string) => {
    if (typeof name === 'string' && !corsNames.includes(name))
      issues.push({
        path,
        message: `unknown cors policy "${name}" (defined: ${corsNames.join(', ') || 'none'})`,
      });
  };
  checkPolicies(doc.defaults?.rate_limits, 'defaults.rate_limits');
  checkCors(doc.defaults?.cors, 'defaults.cors');
  checkPolicies(doc.batch?.rate_limits, 'batch.rate_limits');
  checkPolicies(doc.graphql?.rate_limits, 'graphql.rate_limits');
  checkCors(doc.graphql?.cors, 'graphql.cors');
  if (doc.graphql?.enabled) {
    const gqlPath = doc.graphql.path ?? '/graphql';
    const taken = (doc.routes ?? []).findIndex((r) => r.path === gqlPath || r.prefix === gqlPath);
    if (taken >= 0)
      issues.push({ path: 'graphql.path', message: `${gqlPath} is already routed by routes[${taken}]` });
  }
  const tiers = Object.keys(doc.plans?.tiers ?? {});
  if (doc.plans?.default !== undefined && !tiers.includes(doc.plans.default))
    issues.push({
      path: 'plans.default',
      message: `unknown plan "${doc.plans.default}" (defined under plans.tiers: ${tiers.join(', ') || 'none'})`,
    });
  checkCors(doc.batch?.cors, 'batch.cors');
  if (doc.batch?.enabled) {
    const batchPath = doc.batch.path ?? '/api/v1/batch';
    const taken = (doc.routes ?? []).findIndex((r) => r.path === batchPath);
    if (taken >= 0)
      issues.push({ path: 'batch.path', message: `${batchPath} is already routed by routes[${taken}]` });
  }

  for (const [name, cors] of Object.entries(doc.cors ?? {}))
    if (cors.credentials && cors.origins.includes('*'))
      issues.push({
        path: `cors.${name}.origins`,
        message: '"*" cannot be used with credentials: true; list the origins',
      });

  (doc.trusted_proxies ?? []).forEach((p, i) => {
    const [addr, bits] = p.split('/');
    const family = isIP(addr ?? '');
    const max = family === 6 ? 128 : 32;
    if (!family || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max)))
      issues.push({
        path: `trusted_proxies[${i}]`,
        message: `must be an IP address or CIDR like 10.0.0.0/8 (got "${p}")`,
      });
    else if (bits !== undefined)
      new BlockList().addSubnet(addr!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  });

  const seen = new Map<string, number>();
  const authModes = new Set<string>();
  (doc.routes ?? []).forEach((route: RouteConfig, i) => {
    const at = `routes[${i}]`;
    authModes.add(route.auth ?? doc.defaults?.auth ?? 'required');
    if ((route.path === undefined) === (route.prefix === undefined)) {
      issues.push({ path: at, message: 'needs exactly one of path: or prefix:' });
      return;
    }
    if (!services.includes(route.service))
      issues.push({
        path: `${at}.service`,
        message: `unknown service "${route.service}" (defined: ${services.join(', ')})`,
      });
    checkPolicies(route.rate_limits, `${at}.rate_limits`);
    if (route.websocket && route.methods && !route.methods.includes('GET'))
      issues.push({ path: `${at}.websocket`, message: 'a WebSocket handshake is a GET: add GET to methods' });
    checkCors(route.cors, `${at}.cors`);
    if (route.permission && (route.auth ?? doc.defaults?.auth) === 'none')
      issues.push({ path: `${at}.permission`, message: 'a permission needs auth: required or optional' });
    const template = route.path ?? route.prefix!;
    const params = templateParams(template);
    if (typeof params === 'string') {
      issues.push({ path: `${at}.${route.path ? 'path' : 'prefix'}`, message: params });
      return;
    }
    if (route.rewrite) {
      const target = templateParams(route.rewrite);
      if (typeof target === 'string') issues.push({ path: `${at}.rewrite`, message: target });
      else
        for (const p of target)
          if (!params.includes(p))
            issues.push({ path: `${at}.rewrite`, message: `parameter {${p}} is not in the route's path` });
    }
    if (typeof route.deprecated === 'object') {
      for (const key of ['since', 'sunset'] as const) {
        const v = route.deprecated[key];
        if (v !== undefined && Number.isNaN(Date.parse(v)))
          issues.push({ path: `${at}.deprecated.${key}`, message: `not a valid date: ${v}` });
      }
    }
    const shape = template.replace(/\{[^}]+\}/g, '{}') + (route.prefix ? '/**' : '');
    for (const method of route.methods ?? ['*']) {
      const key = `${method} ${shape}`;
      const first =
        seen.get(key) ?? seen.get(`* ${shape}`) ?? (method === '*' ? findAnyMethod(seen, shape) : undefined);
      if (first !== undefined)
        issues.push({
          path: at,
          message: `${method === '*' ? 'any method' : method} ${template} is already routed by routes[${first}]`,
        });
      else seen.set(key, i);
    }
  });
  issues.push(...sloIssues(doc));
  const identity = doc.identity?.service ?? 'identity';
  if (
    (authModes.has('required') || authModes.has('optional')) &&
    services.length &&
    !services.includes(identity)
  )
    issues.push({
      path: 'identity.service',
      message: `routes need authentication but the identity service "${identity}" is not defined in services`,
    });
  return issues;
}

/**
 * `console.slos`: each names a configured route, and a latency objective sits on a bucket bound
 * of the gateway's duration histogram (the console counts requests at or under it from there).
 */
function sloIssues(doc: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const routes = new Set((doc.routes ?? []).map((r) => r.name).filter(Boolean));
  doc.console?.slos?.forEach((slo, i) => {
    if (!routes.has(slo.route))
      issues.push({ path: `console.slos[${i}].route`, message: `no route is named "${slo.route}"` });
    if (slo.latency !== undefined && new RegExp(DURATION_PATTERN).test(slo.latency)) {
      const seconds = parseDuration(slo.latency) / 1000;
      if (!DURATION_BUCKETS.includes(seconds))
        issues.push({
          path: `console.slos[${i}].latency`,
          message: `must be a bucket bound of the latency histogram (allowed: ${DURATION_BUCKETS.map((b) => `${b * 1000}ms`).join(', ')})`,
        });
    }
  });
  return issues;
}

function findAnyMethod(seen: Map<string, number>, shape: string): number | undefined {
  for (const [k, v] of seen) if (k.endsWith(` ${shape}`)) return v;
  return undefined;
}

/**
 * Checks a parsed config document.
 *
 * @example
 *   const r = validateGatewayConfig(YAML.parse(text));
 *   if (!r.ok) for (const e of r.errors) console.error(`${e.path}: ${e.message}`);
 */
export function validateGatewayConfig(doc: unknown): ValidationResult {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return {
      ok: false,
      errors: [{ path: '', message: 'the document must be a mapping with version, services and routes' }],
    };
  const errors: ConfigIssue[] = [];
  if (!validateSchema(doc)) errors.push(...schemaIssues(validateSchema.errors ?? []));
  try {
    errors.push(...semanticIssues(doc as GatewayConfig));
  } catch {
    // The shape is wrong in a way the schema already reported; semantic checks need a sound shape.
  }
  return errors.length ? { ok: false, errors } : { ok: true, config: doc as GatewayConfig };
}
