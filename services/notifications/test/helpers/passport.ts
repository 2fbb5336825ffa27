/** Headers carrying a valid gateway passport for the notifications service (for raw fetch calls). */
import type { Caller } from '@portico/kit';
import { derivePassportKey, mintPassport, PASSPORT_HEADER } from '@portico/kit/runtime';

export function passportHeaders(
  secret: string,
  caller: Caller,
  service = 'notifications',
): Record<string, string> {
  return { [PASSPORT_HEADER]: mintPassport(derivePassportKey(secret, service), service, caller).token };
}
