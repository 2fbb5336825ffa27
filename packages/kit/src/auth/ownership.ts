/**
 * "Whose records may this caller see?" in one place: routes about the caller's own things need
 * a user (`requireUserId`), and list queries keep to the caller's rows unless an `:all` grant
 * says otherwise (`ownedOnly`). Another user's record is then simply not found (404), never 403.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { AppError } from '../errors/problem.ts';
import { scopeOf, type Caller } from './caller.ts';

type HasCaller = Caller | { caller: Caller };

const callerOf = (from: HasCaller): Caller => ('caller' in from ? from.caller : from);

/** The calling user's id; a route about "my" things needs a person, not a service or nobody. */
export function requireUserId(from: HasCaller): string {
  const caller = callerOf(from);
  if (caller.id === null)
    throw new AppError('forbidden', 'This route acts for a user; call it with a user’s credentials');
  return caller.id;
}

/** The owner a list is restricted to: undefined with an `:all` grant of `permission`, else the caller. */
export function listOwner(from: HasCaller, permission: string): string | undefined {
  const caller = callerOf(from);
  return scopeOf(caller, permission) === 'all' ? undefined : requireUserId(caller);
}

/**
 * `query` restricted to rows whose `ownerColumn` is the caller's id, unless the caller holds
 * `permission` for all records.
 *
 * @example
 *   const q = ownedOnly(db.selectFrom('orders').selectAll(), 'customer_id', req.caller, 'orders:read');
 */
export function ownedOnly<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  ownerColumn: string,
  from: HasCaller,
  permission: string,
): SelectQueryBuilder<DB, TB, O> {
  const owner = listOwner(from, permission);
  return owner === undefined ? query : query.where(sql.ref(ownerColumn), '=', owner);
}
