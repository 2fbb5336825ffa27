/** The CLI's environment variables go through the kit's settings loader. */
import { describe, expect, it } from 'vitest';
import { configFile, databaseUrlOf } from '../src/env.ts';
import { shutdownGraceMs } from '../src/shutdown.ts';
import { partNumbers } from '../src/platform.ts';

describe('the CLI’s environment', () => {
  it('refuses a shutdown grace that is not a number, naming the variable', () => {
    expect(shutdownGraceMs({})).toBe(15_000);
    expect(shutdownGraceMs({ PORTICO_SHUTDOWN_GRACE_MS: '2500' })).toBe(2500);
    expect(() => shutdownGraceMs({ PORTICO_SHUTDOWN_GRACE_MS: '15s' })).toThrow(
      /PORTICO_SHUTDOWN_GRACE_MS must be integer/,
    );
  });

  it('finds the config file and each service’s database', () => {
    expect(configFile({})).toBe('portico.yaml');
    expect(configFile({ PORTICO_CONFIG: '/etc/portico.yaml' })).toBe('/etc/portico.yaml');
    const env = { DATABASE_URL: 'postgres://one', DATABASE_URL_ORDER_HISTORY: 'postgres://own' };
    expect(databaseUrlOf('order-history', false, env)).toBe('postgres://own');
    expect(databaseUrlOf('orders', true, env)).toBe('postgres://one');
    expect(databaseUrlOf('orders', false, env)).toBeUndefined();
  });

  it('reads PORT and DATABASE_POOL_SIZE as numbers for portico start, naming a bad one', () => {
    expect(partNumbers({})).toEqual({ poolSize: 10 });
    expect(partNumbers({ PORT: '8003', DATABASE_POOL_SIZE: '5' })).toEqual({ port: 8003, poolSize: 5 });
    expect(() => partNumbers({ DATABASE_POOL_SIZE: 'many' })).toThrow(/DATABASE_POOL_SIZE must be integer/);
    expect(() => partNumbers({ PORT: 'http' })).toThrow(/PORT must be integer/);
  });
});
