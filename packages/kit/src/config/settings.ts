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
import type { Static, TObject } from 'typebox';

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
  const problems = (validate.errors ?? []).map((e) => {
    const name =
      e.keyword === 'required' ? String(e.params.missingProperty) : e.instancePath.replace(/^\//, '');
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
    return e.keyword === 'required'
      ? `${name} is required${hint}`
      : `${name} ${e.message ?? 'is invalid'}${hint}`;
  });
  throw new SettingsError(problems);
}
