/** `src/commands/create-<singular>.ts`: the first use-case. */
import type { Names } from '../names.ts';

export function createCommandTs(n: Names): string {
  return `/**
 * Creating a ${n.singularWords}: one transaction writes the row and its \`${n.entity}.created\` event
 * to the outbox, so both commit or neither does; the kit relays the event after commit. The
 * event carries the request's trace on its own (the kit keeps it in AsyncLocalStorage).
 */
import type { Caller } from '@portico/kit';
import { uuidv7 } from 'uuidv7';
import { normalizeTitle, requireUserId } from '../domain/ownership.ts';
import { ${n.singularCamel}Created, type Deps } from '../events.ts';
import { insert${n.Singular} } from '../repository/${n.plural}.ts';
import type { ${n.Singular}Row } from '../tables.ts';

export interface Actor {
  caller: Caller;
}

export async function create${n.Singular}(
  deps: Deps,
  actor: Actor,
  input: { title: string },
): Promise<${n.Singular}Row> {
  const ownerId = requireUserId(actor.caller);
  return deps.tx(async (trx) => {
    const row = await insert${n.Singular}(trx, {
      id: uuidv7(),
      owner_id: ownerId,
      title: normalizeTitle(input.title),
    });
    await deps.publish(trx, '${n.entity}.created', ${n.singularCamel}Created(row), { subject: row.id });
    return row;
  });
}
`;
}
