/** The gateway's environment variables go through the kit's settings loader. */
import { describe, expect, it } from 'vitest';
import { gatewayEnv, namedVariable } from '../src/config/env.ts';
import { upstreamOverride } from '../src/config/load.ts';

describe('the gateway’s environment', () => {
  it('reads PORT as a number and refuses a bad one naming it (never NaN)', () => {
    expect(gatewayEnv({ PORT: '8080', HOST: '0.0.0.0' })).toEqual({ PORT: 8080, HOST: '0.0.0.0' });
    expect(gatewayEnv({})).toEqual({});
    expect(() => gatewayEnv({ PORT: '80x' })).toThrow(/PORT must be integer/);
    expect(() => gatewayEnv({ PORT: '70000' })).toThrow(/PORT must be <= 65535/);
  });

  it('reads the variables portico.yaml names', () => {
    expect(namedVariable('METRICS_TOKEN_X', { METRICS_TOKEN_X: 's3cret' })).toBe('s3cret');
    expect(namedVariable('METRICS_TOKEN_X', {})).toBeUndefined();
    expect(
      upstreamOverride('order-history', { PORTICO_UPSTREAM_ORDER_HISTORY: 'http://a:1, http://b:2' }),
    ).toEqual(['http://a:1', 'http://b:2']);
  });
});
