/** `src/events.ts`: what the service publishes, and the payload each event carries. */
import type { Names } from '../names.ts';

export function eventsTs(n: Names): string {
  return `/**
 * The events ${n.service} publishes (docs/events.md lists every service's): the map from type to
 * payload that \`deps.publish\` accepts, nothing else. Types are past-tense facts,
 * \`<entity>.<verb>\`; a breaking change to a payload is a new type (\`….v2\`). When another
 * service consumes one, the map moves to @portico/contracts (packages/contracts/src/), joined
 * to the kit's \`EventTypes\` there, so both sides compile against the same shape.
 */
import type { ServiceDeps } from '@portico/kit';
import type { ${n.ServicePascal}Database, ${n.Singular}Row } from './tables.ts';

export interface ${n.ServicePascal}Events {
  '${n.entity}.created': ${n.Singular}Created;
}

export const ${n.SERVICE_ENV}_EVENTS = ['${n.entity}.created'] as const satisfies readonly (keyof ${n.ServicePascal}Events)[];
export type ${n.ServicePascal}EventType = (typeof ${n.SERVICE_ENV}_EVENTS)[number];

/** The kit's dependencies as ${n.service} sees them: \`publish\` takes \`${n.ServicePascal}Events\` only. */
export type Deps = ServiceDeps<${n.ServicePascal}Database, Record<string, unknown>, ${n.ServicePascal}Events>;

/** \`${n.entity}.created\`: a user created a ${n.singularWords}. */
export interface ${n.Singular}Created {
  ${n.entity}_id: string;
  owner_id: string;
  title: string;
}

export function ${n.singularCamel}Created(row: ${n.Singular}Row): ${n.Singular}Created {
  return { ${n.entity}_id: row.id, owner_id: row.owner_id, title: row.title };
}
`;
}
