/**
 * The gateway's own calls to identity: its JWKS (public, no passport) and API-key
 * verification (internal route, gateway service passport). Both go through identity's
 * upstream instances, so balancing, breakers and overrides apply to them too.
 */
import type { JSONWebKeySet } from 'jose';
import type { Caller } from '@portico/kit';
import { PASSPORT_HEADER } from '@portico/kit/runtime';
import { principal, type PassportMint, type Principal } from './auth/principal.ts';
import type { UpstreamService } from './upstream/service.ts';
import { callService } from './upstream/call.ts';

const TIMEOUT_MS = 2000;

export class IdentityClient {
  #service: () => UpstreamService | undefined;
  #path: () => string;
  #mint: PassportMint;
  #gateway: Principal | null = null;

  constructor(service: () => UpstreamService | undefined, jwksPath: () => string, mint: PassportMint) {
    this.#service = service;
    this.#path = jwksPath;
    this.#mint = mint;
  }

  async #request(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; json: unknown }> {
    const svc = this.#service();
    if (!svc) throw new Error('identity service is not configured');
    return await callService(svc, {
      method,
      path,
      headers,
      ...(body !== undefined && { body }),
      timeoutMs: TIMEOUT_MS,
    });
  }

  readonly fetchJwks = async (): Promise<JSONWebKeySet> => {
    const { status, json } = await this.#request('GET', this.#path(), { accept: 'application/json' });
    if (status !== 200) throw new Error(`JWKS answered ${status}`);
    return json as JSONWebKeySet;
  };

  readonly call = async (
    path: string,
    body: string,
    caller: Caller,
  ): Promise<{ status: number; json: unknown }> => {
    this.#gateway ??= principal(caller, Infinity, []);
    const passport = this.#mint.for(this.#gateway, this.#service()?.name ?? 'identity', Date.now());
    return await this.#request(
      'POST',
      path,
      { 'content-type': 'application/json', [PASSPORT_HEADER]: passport },
      body,
    );
  };
}
