/**
 * The building blocks of the `portico.yaml` schema (schema.ts and schema-features.ts): value
 * shapes (durations, sizes, names), named maps and defaulted sections.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { withDefault as dflt, type TNamed } from './defaults.ts';

export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$';
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?(b|kb|mb|gb)$';
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const opt = Type.Optional;
export const duration = (description?: string) =>
  Type.String({ pattern: DURATION_PATTERN, ...(description !== undefined && { description }) });
export const size = () =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: SIZE_PATTERN })], {
    'x-hint': 'a size like 512kb or 1mb, or a byte count',
  });
export const name = Type.String({ pattern: '^[a-z][a-z0-9_-]*$' });
export const strings = Type.Array(Type.String({ minLength: 1 }));
/** `false` as a value (TypeBox's literal would add `type: boolean`, which changes Ajv's messages). */
export const off = Type.Unsafe<false>({ const: false });

/** A mapping from names (`name` above) to values of one shape. */
export function named<S extends TSchema>(value: S, options: Record<string, unknown> = {}): TNamed<S> {
  return Type.Unsafe<Record<string, Static<S>>>({
    type: 'object',
    ...options,
    propertyNames: name,
    additionalProperties: value,
  }) as TNamed<S>;
}

export const corsRef = () =>
  Type.Union([Type.String(), off], { 'x-hint': 'the name of a cors policy, or false' });

/** A top-level section whose every field has a default (so it defaults to `{}`). */
export const section = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  // `{}` is valid: every field of a section is optional.
  dflt(Type.Object(properties, { additionalProperties: false }), {} as never);
