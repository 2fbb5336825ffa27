/**
 * The gateway's API-key check (contracts/identity.ts API_KEY_VERIFY_PATH). Only a service
 * passport may call it; anyone else gets 404, as if it did not exist. The gateway caches the
 * answer briefly and drops it on `api_key.revoked` / `user.disabled`.
 */
import { AppError, type ServiceApp } from '@portico/kit';
import { API_KEY_VERIFY_PATH, type ApiKeyVerifyResponse } from '@portico/contracts';
import { verifyApiKey } from '../commands/verify-api-key.ts';
import type { Deps } from '../deps.ts';
import { ApiKeyVerifyBody, ApiKeyVerifyResult } from './schemas.ts';

export function internalRoutes(app: ServiceApp, deps: Deps): void {
  app.post(
    API_KEY_VERIFY_PATH,
    {
      config: { auth: 'optional' },
      schema: { hide: true, body: ApiKeyVerifyBody, response: { 200: ApiKeyVerifyResult } },
    },
    async (req): Promise<ApiKeyVerifyResponse> => {
      if (req.caller.auth !== 'service')
        throw new AppError('not_found', `No route for ${req.method} ${API_KEY_VERIFY_PATH}`);
      return verifyApiKey(deps, req.body.key);
    },
  );
}
