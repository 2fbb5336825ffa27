/**
 * Defaults live in the schema (`default:` on a property, set with `withDefault`); `withDefaults`
 * fills them into a validated config, and `Resolved` is the config's type once they are: the
 * same type the schema infers, with every defaulted property present. Settings layered from
 * `defaults:` to a service to a route (timeouts, retry, auth, cors, rate limits, idempotency,
 * body limit) have their defaults on the `defaults:` object only, so a route or service that
 * says nothing inherits, rather than overriding with a default of its own.
 */
import {
  Type,
  type Static,
  type TArray,
  type TObject,
  type TProperties,
  type TSchema,
  type TUnion,
} from 'typebox';

/** A property with a default in the schema. */
export type TDefault<S extends TSchema = TSchema> = ReturnType<typeof Type.Optional<S>> & {
  readonly '~default': true;
};

/** A mapping from names to values of one schema (`{type: object, additionalProperties: S}`). */
export type TNamed<S extends TSchema = TSchema> = TSchema & {
  '~unsafe': Record<string, Static<S>>;
  readonly '~value': S;
};

/** Marks `schema` (a schema object of its own, not a shared one) optional with a default. */
export function withDefault<S extends TSchema>(schema: S, value: Static<S>): TDefault<S> {
  (schema as Record<string, unknown>).default = value;
  return Type.Optional(schema) as TDefault<S>;
}

type DefaultedKeys<P> = { [K in keyof P]: P[K] extends { '~default': true } ? K : never }[keyof P];
type OptionalKeys<P> = {
  [K in keyof P]: P[K] extends { '~default': true } ? never : P[K] extends { '~optional': true } ? K : never;
}[keyof P];
type RequiredKeys<P> = Exclude<keyof P, DefaultedKeys<P> | OptionalKeys<P>>;
type Flat<T> = { [K in keyof T]: T[K] };

type ResolvedObject<P extends TProperties> = Flat<
  { [K in DefaultedKeys<P>]-?: Resolved<P[K]> } & { [K in OptionalKeys<P>]?: Resolved<P[K]> } & {
    [K in RequiredKeys<P>]: Resolved<P[K]>;
  }
>;

/** The type of a value of `S` once `withDefaults` has filled its defaults in. */
export type Resolved<S> = S extends { '~value': infer V }
  ? Record<string, Resolved<V>>
  : S extends TObject<infer P>
    ? ResolvedObject<P>
    : S extends TArray<infer I>
      ? Resolved<I>[]
      : S extends TUnion<infer T>
        ? Resolved<T[number]>
        : S extends TSchema
          ? Static<S>
          : never;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `value` with the defaults of `schema` filled in (a copy: `value` is not changed). */
function fill(schema: Json, value: unknown): unknown {
  if (value === undefined) {
    if (!('default' in schema)) return undefined;
    value = structuredClone(schema.default);
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    return isObject(items) ? value.map((v: unknown) => fill(items, v)) : value;
  }
  if (!isObject(value)) return value;
  if (Array.isArray(schema.anyOf)) {
    const branch = (schema.anyOf as Json[]).find((b) => b.type === 'object');
    return branch ? fill(branch, value) : value;
  }
  const out: Json = { ...value };
  if (isObject(schema.properties))
    for (const [k, s] of Object.entries(schema.properties as Record<string, Json>)) {
      const v = fill(s, value[k]);
      if (v !== undefined) out[k] = v;
    }
  else if (isObject(schema.additionalProperties)) {
    const each = schema.additionalProperties;
    for (const [k, v] of Object.entries(value)) out[k] = fill(each, v);
  }
  return out;
}

/** The config with every default of its schema filled in. */
export function withDefaults<S extends TSchema>(schema: S, value: Static<S>): Resolved<S> {
  return fill(schema as Json, value) as Resolved<S>;
}
