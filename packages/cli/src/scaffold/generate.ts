/**
 * `portico new service`: plans every file of a new service and every shared-file edit in
 * memory, refuses before writing anything when the name is bad or taken, then writes them all
 * and formats them with the repository's prettier settings. It writes nothing under
 * packages/: a service is its folder plus its entries in the shared YAML files.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { addToCompose, addToGatewayConfig } from './config-edits.ts';
import { deriveNames, nameProblem, type Names } from './names.ts';
import { configuredPorts, declaredPorts, pickPort } from './ports.ts';
import { createCommandTs } from './templates/commands.ts';
import { ownershipTs } from './templates/domain.ts';
import { eventsTs } from './templates/events.ts';
import { packageJson } from './templates/package-json.ts';
import { readmeMd } from './templates/readme.ts';
import { repositoryTs } from './templates/repository.ts';
import { routesTs } from './templates/routes.ts';
import { serviceTs } from './templates/service.ts';
import { migrationSql, tablesTs } from './templates/tables.ts';
import { serviceTestTs } from './templates/test.ts';
import { viewsTs } from './templates/views.ts';

/** A refusal the user can act on (bad or taken name): the CLI prints it and exits 1. */
export class ScaffoldRefusal extends Error {}

export interface ScaffoldPlan {
  names: Names;
  port: number;
  /** Repository-relative path → full new content (new files and edited shared files). */
  files: Map<string, string>;
  created: string[];
  edited: string[];
}

export const SHARED_FILES = {
  gateway: 'portico.yaml',
  compose: 'deploy/compose.yaml',
} as const;

/** Renders deploy/kubernetes/base/ from the services in the repository (run after writing). */
export const KUBERNETES_RENDER = 'deploy/kubernetes/render.ts';

interface RouteLike {
  name?: string;
  path?: string;
  prefix?: string;
}

/** Refuses a name that is malformed or already used by a folder, a service or a route. */
function refuseTaken(root: string, n: Names, gatewayYaml: string): void {
  if (existsSync(path.join(root, 'services', n.service)))
    throw new ScaffoldRefusal(`services/${n.service} already exists: choose another name`);
  const doc = parseYaml(gatewayYaml) as { services?: Record<string, unknown>; routes?: RouteLike[] } | null;
  if (doc?.services && n.service in doc.services)
    throw new ScaffoldRefusal(`${SHARED_FILES.gateway} already has a service named "${n.service}"`);
  const prefix = `/api/v1/${n.plural}`;
  for (const r of doc?.routes ?? []) {
    const at = r.prefix ?? r.path ?? '';
    if (r.name === n.plural)
      throw new ScaffoldRefusal(
        `${SHARED_FILES.gateway} already has a route named "${n.plural}": pass --resource <plural>`,
      );
    if (at === prefix || at.startsWith(`${prefix}/`))
      throw new ScaffoldRefusal(
        `${prefix} is already routed (route "${r.name ?? at}"): pass --resource <plural> to name another resource`,
      );
  }
}

export async function planService(root: string, name: string, resource?: string): Promise<ScaffoldPlan> {
  const bad = nameProblem(name);
  if (bad) throw new ScaffoldRefusal(bad);
  if (resource !== undefined) {
    const badResource = nameProblem(resource, 'a resource name (its plural, e.g. "notes")');
    if (badResource) throw new ScaffoldRefusal(badResource);
  }
  const n = deriveNames(name, resource);
  const read = (rel: string) => readFile(path.join(root, rel), 'utf8');
  const gatewayYaml = await read(SHARED_FILES.gateway);
  refuseTaken(root, n, gatewayYaml);

  const taken = [...(await declaredPorts(root)).values(), ...configuredPorts(gatewayYaml)];
  const port = pickPort(name, taken);

  const dir = `services/${n.service}`;
  const created = new Map<string, string>([
    [`${dir}/package.json`, packageJson(n, port)],
    [`${dir}/README.md`, readmeMd(n, port)],
    [`${dir}/src/service.ts`, serviceTs(n)],
    [`${dir}/src/routes/${n.plural}.ts`, routesTs(n)],
    [`${dir}/src/commands/create-${n.singular}.ts`, createCommandTs(n)],
    [`${dir}/src/domain/ownership.ts`, ownershipTs(n)],
    [`${dir}/src/repository/${n.plural}.ts`, repositoryTs(n)],
    [`${dir}/src/tables.ts`, tablesTs(n)],
    [`${dir}/src/views.ts`, viewsTs(n)],
    [`${dir}/src/events.ts`, eventsTs(n)],
    [`${dir}/src/migrations/001_${n.table}.sql`, migrationSql(n)],
    [`${dir}/test/${n.plural}.test.ts`, serviceTestTs(n)],
  ]);
  const edited = new Map<string, string>([
    [SHARED_FILES.gateway, addToGatewayConfig(gatewayYaml, n, port)],
    [SHARED_FILES.compose, addToCompose(await read(SHARED_FILES.compose), n, port)],
  ]);
  return {
    names: n,
    port,
    files: new Map([...created, ...edited]),
    created: [...created.keys()],
    edited: [...edited.keys()],
  };
}

/** Formats with the repository's prettier configuration (Markdown and SQL are left as written). */
async function format(root: string, rel: string, text: string): Promise<string> {
  if (!/\.(ts|json|ya?ml)$/.test(rel)) return text;
  const prettier = await import('prettier');
  const filepath = path.join(root, rel);
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(text, { ...options, filepath });
}

/** Writes every planned file (creating folders), formatted. */
export async function writePlan(root: string, plan: ScaffoldPlan): Promise<void> {
  const formatted = new Map<string, string>();
  // Format everything first: a formatter error leaves the repository untouched.
  for (const [rel, text] of plan.files) formatted.set(rel, await format(root, rel, text));
  for (const [rel, text] of formatted) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
}
