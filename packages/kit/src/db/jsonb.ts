/**
 * jsonb columns, the same on both engines. Reading needs nothing: both adapters hand jsonb back
 * parsed (node-pg's and PGlite's default type parsers, checked by the kit's plumbing test).
 * Writing goes through `jsonb(value)`: a JS array sent as a parameter would otherwise become a
 * PostgreSQL array literal, so the value travels as JSON text that the column casts. The
 * `Jsonb<T>` column type makes the helper the only way to write the column.
 *
 * @example
 *   interface Tables { courses: { tags: Jsonb<string[]> } }
 *   await db.insertInto('courses').values({ tags: jsonb(['a', 'b']) }).execute();
 */
import type { ColumnType } from 'kysely';

declare const jsonOf: unique symbol;

/** JSON text of a `T`, made by `jsonb()`. */
export type JsonbText<T> = string & { readonly [jsonOf]: T };

/** A jsonb column read as `T` and written with `jsonb(value)`. */
export type Jsonb<T> = ColumnType<T, JsonbText<T>, JsonbText<T>>;

export function jsonb<T>(value: T): JsonbText<T> {
  return JSON.stringify(value) as JsonbText<T>;
}
