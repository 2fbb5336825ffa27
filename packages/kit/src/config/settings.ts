/**
 * Configuration is data with a schema: a service's environment is validated at start, and a
 * mistake names the variable and what is allowed before anything listens.
 *
 * @example
 *   const Settings = Type.Object({ SMTP_URL: Type.Optional(Type.String({ format: 'uri' })) });
 *   const s = loadSettings(Settings, process.env); // throws SettingsError
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Type, type Static, type TObject, type TSchema } from 'typebox';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export class SettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

const ajv = addFormats(new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false }));

export function loadSettings<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined>,
): Static<T> {
  const props = Object.keys((schema as { properties: Record<string, unknown> }).properties);
  const input: Record<string, unknown> = {};
  for (const k of props) if (env[k] !== undefined && env[k] !== '') input[k] = env[k];
  const validate = ajv.compile(schema);
  if (validate(input)) return input as Static<T>;
  // One line per variable: a union's branches each fail, but the variable has one mistake.
  const problems = new Map<string, string>();
  for (const e of validate.errors ?? []) {
    const name =
      e.keyword === 'required' ? String(e.params.missingProperty) : e.instancePath.replace(/^\//, '');
    if (problems.has(name)) continue;
    const sub = (
      schema as {
        properties: Record<string, { enum?: unknown[]; description?: string; anyOf?: { const?: unknown }[] }>;
      }
    ).properties[name];
    const allowed = sub?.enum ?? sub?.anyOf?.map((a) => a.const).filter((v) => v !== undefined);
    const hint =
      allowed && allowed.length
        ? ` (allowed: ${allowed.join(', ')})`
        : sub?.description
          ? ` (${sub.description})`
          : '';
    const what =
      e.keyword === 'required' ? 'is required' : allowed?.length ? 'is not an allowed value' : e.message;
    problems.set(name, `${name} ${what ?? 'is invalid'}${hint}`);
  }
  throw new SettingsError([...problems.values()]);
}

const single = new WeakMap<TSchema, Map<string, TObject>>();

/**
 * One variable whose name is known only at run time (`DATABASE_URL_<NAME>`, the variable
 * `metrics.token_env` names), through the same checks: `undefined` when unset or empty.
 *
 * @example
 *   const url = loadVariable(`DATABASE_URL_${name}`, Type.String({ format: 'uri' }), process.env);
 */
export function loadVariable<S extends TSchema>(
  name: string,
  schema: S,
  env: Record<string, string | undefined>,
): Static<S> | undefined {
  let byName = single.get(schema);
  if (!byName) single.set(schema, (byName = new Map()));
  let wrapper = byName.get(name);
  if (!wrapper) byName.set(name, (wrapper = Type.Object({ [name]: Type.Optional(schema) })));
  return (loadSettings(wrapper, env) as Record<string, Static<S> | undefined>)[name];
}
