/**
 * The environment variables the gateway reads, through the kit's settings loader: a bad value is
 * an error naming the variable (never a NaN port). `portico.yaml` settings win over these.
 */
import { Type } from 'typebox';
import { loadSettings, loadVariable } from '@portico/kit/runtime';

export const GatewayEnv = Type.Object({
  PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'a port number, 0–65535' })),
  HOST: Type.Optional(Type.String({ minLength: 1, description: 'an address to listen on' })),
});

export function gatewayEnv(source: Record<string, string | undefined> = process.env) {
  return loadSettings(GatewayEnv, source);
}

const Text = Type.String();

/** The value of a variable `portico.yaml` names (`metrics.token_env`, `PORTICO_UPSTREAM_<NAME>`). */
export function namedVariable(
  name: string,
  source: Record<string, string | undefined> = process.env,
): string | undefined {
  return loadVariable(name, Text, source);
}
