/** TOTP as an authenticator app computes it (otplib), for the system tests of second factors. */
import { expect } from 'vitest';
import { generate } from 'otplib';
import type { System } from './harness.ts';

/** The code an authenticator app shows now, or `stepsAhead` periods (30 s) later. */
export function codeFor(secret: string, stepsAhead = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });
}

/** A new user with TOTP on (confirmed with the current code) through the gateway: its secret and recovery codes. */
export async function enrolledUser(sys: System) {
  const who = await sys.signUp();
  const start = await who.client.post('/api/v1/auth/mfa/totp', {});
  expect(start.status).toBe(200);
  const secret = (start.body as { secret: string }).secret;
  const confirm = await who.client.post('/api/v1/auth/mfa/totp/confirm', { code: await codeFor(secret) });
  expect(confirm.status).toBe(200);
  return { who, secret, recoveryCodes: (confirm.body as { recovery_codes: string[] }).recovery_codes };
}
