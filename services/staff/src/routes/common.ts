/** Schemas shared by the route files (TypeBox: validation, types and OpenAPI from one source). */
import { Type, type TSchema } from '@portico/kit';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Timestamp = Type.String({ format: 'date-time' });
/** A calendar day, RFC 3339 full-date. */
export const Day = Type.String({ format: 'date', description: 'A calendar day, `YYYY-MM-DD`' });
export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const IdParams = Type.Object({ id: Id });
export const RecordStatus = Type.Union([Type.Literal('active'), Type.Literal('inactive')]);
/** Free text that is not blank. */
export const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '\\S', ...(description && { description }) });
