/** Schema pieces (TypeBox) more than one route file uses. */
import { Type } from '@portico/kit';

export const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });
export const Id = Type.String({ minLength: 1, maxLength: 64 });
export const IdParams = Type.Object({ id: Id });

export const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code, e.g. KES',
  examples: ['KES'],
});
/** Integer minor units (docs/api-conventions.md: never floats). */
export const Money = Type.Integer({
  minimum: 0,
  maximum: 1_000_000_000_000,
  description: 'Integer minor units',
});
/** An amount of money (version 2026-12-01 on; docs/versions.md): minor units and their currency. */
export const MoneyInput = Type.Object(
  { amount: Money, currency: Currency },
  { additionalProperties: false, description: 'An amount in integer minor units and its ISO 4217 currency' },
);
export const MoneyOut = Type.Object(
  { amount: Type.Integer({ description: 'Integer minor units' }), currency: Type.String() },
  { description: 'An amount in integer minor units and its ISO 4217 currency' },
);
export const Quantity = Type.Integer({ minimum: 1, maximum: 100_000 });
export const Latitude = Type.Number({ minimum: -90, maximum: 90 });
export const Longitude = Type.Number({ minimum: -180, maximum: 180 });
export const WarehouseCode = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$',
  description: 'Stored upper-case',
});
