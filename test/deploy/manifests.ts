/** Reading deploy/: the committed Kubernetes manifests and the compose file, as plain objects. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { baseDir } from '../../deploy/kubernetes/render.ts';

export type Doc = Record<string, any>;

export const root = path.resolve(import.meta.dirname, '../..');

export function committedManifests(): Map<string, string> {
  return new Map(
    readdirSync(baseDir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [f, readFileSync(path.join(baseDir, f), 'utf8')]),
  );
}

/** Every object of every manifest file but the Kustomization. */
export function manifestDocs(): Doc[] {
  return [...committedManifests()]
    .filter(([f]) => f !== 'kustomization.yaml')
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJSON() as Doc));
}

/** The part a container or compose service runs: `start <part>`. */
export const partOf = (args: unknown): string | undefined =>
  Array.isArray(args) && args[0] === 'start' ? String(args[1]) : undefined;

/** part → the environment variable names Kubernetes gives its container. */
export function manifestEnv(docs = manifestDocs()): Map<string, Set<string>> {
  const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d]));
  const out = new Map<string, Set<string>>();
  for (const d of docs.filter((x) => x.kind === 'Deployment')) {
    for (const c of d.spec.template.spec.containers) {
      const part = partOf(c.args);
      if (!part) continue;
      const names = new Set<string>((c.env ?? []).map((e: Doc) => e.name as string));
      for (const from of c.envFrom ?? [])
        for (const k of Object.keys(configMaps.get(from.configMapRef?.name)?.data ?? {})) names.add(k);
      out.set(part, names);
    }
  }
  return out;
}

export function composeFile(): Doc {
  return parse(readFileSync(path.join(root, 'deploy/compose.yaml'), 'utf8'), { merge: true }) as Doc;
}

/** part → the environment variable names compose sets for it. */
export function composeEnv(compose = composeFile()): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const svc of Object.values(compose.services as Record<string, Doc>)) {
    const part = partOf(svc.command);
    if (part) out.set(part, new Set(Object.keys(svc.environment ?? {})));
  }
  return out;
}
