/** The CLI's environment variables go through the kit's settings loader. */
import { describe, expect, it } from 'vitest';
import { configFile, databaseUrlOf } from '../src/env.ts';
import { shutdownGraceMs } from '../src/shutdown.ts';

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
});
