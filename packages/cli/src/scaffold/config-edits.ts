/**
 * Adds a new service to the repository's shared YAML files (portico.yaml, deploy/compose.yaml;
 * the Kubernetes manifests are rendered from the services folder by deploy/kubernetes/render.ts) by inserting text next to its siblings, so the files keep
 * their comments and layout; prettier then formats the result like the rest of the repository.
 */
import type { Names } from './names.ts';

/**
 * Inserts `stanza` at the end of the top-level mapping or list `key:` — after its last entry,
 * before any trailing blank or comment lines (which usually introduce what follows).
 */
export function appendToBlock(text: string, key: string, stanza: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${key}:`));
  if (start < 0) throw new Error(`no top-level "${key}:" block`);
  let end = start + 1;
  while (end < lines.length && (lines[end] === '' || /^[\s#]/.test(lines[end]!))) end++;
  let last = end - 1;
  while (last > start && (lines[last]!.trim() === '' || lines[last]!.trim().startsWith('#'))) last--;
  lines.splice(last + 1, 0, ...stanza.replace(/\n$/, '').split('\n'));
  return lines.join('\n');
}

/** Inserts `line` after the last line matching `pattern`, with that line's indentation. */
export function appendAfterLast(text: string, pattern: RegExp, line: string): string {
  const lines = text.split('\n');
  let at = -1;
  lines.forEach((l, i) => {
    if (pattern.test(l)) at = i;
  });
  if (at < 0) throw new Error(`no line matching ${String(pattern)}`);
  const indent = /^\s*/.exec(lines[at]!)![0];
  lines.splice(at + 1, 0, indent + line);
  return lines.join('\n');
}

const upstream = (n: Names, port: number) => `PORTICO_UPSTREAM_${n.SERVICE_ENV}: http://${n.service}:${port}`;

export function addToGatewayConfig(text: string, n: Names, port: number): string {
  const withService = appendToBlock(
    text,
    'services',
    `  ${n.service}:
    instances: [http://127.0.0.1:${port}]
    health: { path: /health/ready, interval: 5s }`,
  );
  const banner = `  # ---- ${n.service} `.padEnd(95, '-');
  return appendToBlock(
    withService,
    'routes',
    `
${banner}
  - name: ${n.plural}
    prefix: /api/v1/${n.plural}
    service: ${n.service}`,
  );
}

export function addToCompose(text: string, n: Names, port: number): string {
  const withUpstream = appendAfterLast(text, /^\s+PORTICO_UPSTREAM_[A-Z0-9_]+:/, upstream(n, port));
  return appendToBlock(
    withUpstream,
    'services',
    `  ${n.service}:
    <<: *part
    command: ['start', '${n.service}']
    environment:
      <<: *service-env
      PORT: '${port}'
      DATABASE_URL: postgres://postgres:\${POSTGRES_PASSWORD}@postgres:5432/${n.serviceSnake}`,
  );
}
