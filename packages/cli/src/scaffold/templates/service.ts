/** `src/service.ts`: the definition the platform discovers and mounts. */
import type { Names } from '../names.ts';

export function serviceTs(n: Names): string {
  return `/**
 * ${n.service} — ${n.pluralWords} owned by the users who create them. See README.md.
 *
 * The platform finds this file through package.json (\`exports\` and \`portico.port\`) and mounts
 * the definition: in one process with the others (\`npm start\`) or alone (\`portico start ${n.service}\`).
 */
import { defineService } from '@portico/kit';
import { ${n.SERVICE_ENV}_EVENTS, type ${n.ServicePascal}Events } from './events.ts';
import { ${n.singularCamel}Routes } from './routes/${n.plural}.ts';
import type { ${n.ServicePascal}Database } from './tables.ts';

export default defineService<${n.ServicePascal}Database, Record<string, unknown>, ${n.ServicePascal}Events>({
  name: '${n.service}',
  version: '0.1.0',
  description: '${n.PluralWords} owned by the users who create them.',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: ${n.SERVICE_ENV}_EVENTS,
  routes(app, deps) {
    ${n.singularCamel}Routes(app, deps);
  },
});
`;
}
