/** Schema pieces every route file uses. Field names are snake_case, times RFC 3339 (docs/api-conventions.md). */
import { Type, type TSchema } from '@portico/kit';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Timestamp = Type.String({ format: 'date-time' });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
