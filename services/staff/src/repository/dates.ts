/** Reads a `date` column as 'YYYY-MM-DD' text, the same on pg and PGlite, in any time zone. */
import { sql, type RawBuilder } from 'kysely';

export function day<A extends string>(column: string, alias: A) {
  return sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`.as(alias);
}

/** A 'YYYY-MM-DD' value compared with a `date` column. */
export function asDate(value: string): RawBuilder<string> {
  return sql<string>`cast(${value} as date)`;
}
