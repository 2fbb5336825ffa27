/**
 * The environment variables the CLI's commands read, through the kit's settings loader: a bad
 * value is an error naming the variable.
 */
import { Type } from '@portico/kit';
import { loadSettings, loadVariable } from '@portico/kit/runtime';

export const ConfigFileEnv = Type.Object({
  PORTICO_CONFIG: Type.Optional(Type.String({ minLength: 1, description: 'path of portico.yaml' })),
});

/** `PORTICO_CONFIG`, else `portico.yaml` in the working directory. */
export function configFile(source: Record<string, string | undefined> = process.env): string {
  const env = loadSettings(ConfigFileEnv, source);
  return env.PORTICO_CONFIG ?? 'portico.yaml';
}

const Url = Type.String({ minLength: 1 });

/**
 * A service's database for `portico migrate`: `DATABASE_URL_<NAME>`, else (migrating one
 * service) `DATABASE_URL`.
 */
export function databaseUrlOf(
  service: string,
  one: boolean,
  source: Record<string, string | undefined> = process.env,
): string | undefined {
  const own = loadVariable(`DATABASE_URL_${service.toUpperCase().replaceAll('-', '_')}`, Url, source);
  return own ?? (one ? loadVariable('DATABASE_URL', Url, source) : undefined);
}
