/** `src/events.ts`: what the service publishes, and the payload each event carries. */
import type { Names } from '../names.ts';

export function eventsTs(n: Names): string {
  return `/**
 * The events ${n.service} publishes (docs/events.md lists every service's). Types are past-tense
 * facts, \`<entity>.<verb>\`; a breaking change to a payload is a new type (\`….v2\`). When another
 * service consumes one, its payload type moves to @portico/contracts (packages/contracts/src/)
 * so both sides compile against the same shape.
 */
import type { ${n.Singular}Row } from './tables.ts';

export const ${n.SERVICE_ENV}_EVENTS = ['${n.entity}.created'] as const;
export type ${n.ServicePascal}EventType = (typeof ${n.SERVICE_ENV}_EVENTS)[number];

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
