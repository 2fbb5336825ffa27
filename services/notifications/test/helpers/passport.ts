/** Headers carrying a valid gateway passport for the notifications service (for raw fetch calls). */
import { derivePassportKey, mintPassport, PASSPORT_HEADER, type Caller } from '@portico/kit';

export function passportHeaders(
  secret: string,
  caller: Caller,
  service = 'notifications',
): Record<string, string> {
  return { [PASSPORT_HEADER]: mintPassport(derivePassportKey(secret, service), service, caller).token };
}
