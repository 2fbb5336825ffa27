/**
 * identity's revocation events → the denylist and the credential caches; and the gateway's
 * `access.denied` audit events, published best-effort (never awaited by a response) and
 * capped per second so a flood of bad requests cannot flood the bus.
 */
import type { Logger } from 'pino';
import { makeEvent, type AccessDeniedData, type EventBus, type Subscription } from '@portico/kit';
import {
  IDENTITY_EVENTS,
  type AccessTokenRevokedData,
  type ApiKeyRevokedData,
  type PlanChangedData,
  type SessionRevokedData,
  type UserDisabledData,
} from '@portico/contracts';
import type { ApiKeyVerifier } from './api-keys.ts';
import type { Denylist } from './denylist.ts';
import type { JwtVerifier } from './jwt.ts';

const DAY_MS = 86_400_000;

export async function subscribeRevocations(
  bus: EventBus,
  deps: { denylist: Denylist; jwt: JwtVerifier; apiKeys: ApiKeyVerifier; log: Logger },
): Promise<Subscription> {
  const { denylist, jwt, apiKeys, log } = deps;
  return await bus.subscribe(
    {
      consumer: 'gateway-revocations',
      broadcast: true,
      types: [
        IDENTITY_EVENTS.sessionRevoked,
        IDENTITY_EVENTS.apiKeyRevoked,
        IDENTITY_EVENTS.accessTokenRevoked,
        IDENTITY_EVENTS.userDisabled,
        IDENTITY_EVENTS.userRolesChanged,
        IDENTITY_EVENTS.planChanged,
      ],
    },
    async (event) => {
      const until = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN) || Date.now() + DAY_MS;
      switch (event.type) {
        case IDENTITY_EVENTS.sessionRevoked: {
          const d = event.data as SessionRevokedData;
          for (const sid of d.session_ids ?? []) denylist.add(`sid:${sid}`, until(d.expires_at));
          break;
        }
        case IDENTITY_EVENTS.apiKeyRevoked: {
          const d = event.data as ApiKeyRevokedData;
          apiKeys.forget({ apiKeyId: d.api_key_id });
          denylist.add(`key:${d.api_key_id}`, Date.now() + DAY_MS);
          break;
        }
        case IDENTITY_EVENTS.accessTokenRevoked: {
          // One OAuth access token revoked (RFC 7009): refused by its `jti`.
          const d = event.data as AccessTokenRevokedData;
          denylist.add(`jti:${d.jti}`, until(d.expires_at));
          break;
        }
        case IDENTITY_EVENTS.userDisabled: {
          const d = event.data as UserDisabledData;
          denylist.add(`user:${d.user_id}`, until(d.expires_at));
          apiKeys.forget({ userId: d.user_id });
          break;
        }
        case IDENTITY_EVENTS.userRolesChanged: {
          const d = event.data as { user_id: string };
          // API keys carry the owner's roles: fetch them again. Tokens carry theirs until refresh.
          apiKeys.forget({ userId: d.user_id });
          jwt.forgetUser(d.user_id);
          break;
        }
        case IDENTITY_EVENTS.planChanged: {
          // Verify the key(s) again: the next request learns the new plan (docs/plans.md).
          const d = event.data as PlanChangedData;
          if (d.api_key_id) apiKeys.forget({ apiKeyId: d.api_key_id });
          else apiKeys.forget({ userId: d.user_id });
          break;
        }
      }
      log.debug({ type: event.type, id: event.id }, 'revocation event applied');
    },
  );
}

export class DenialReporter {
  #bus: EventBus | undefined;
  #log: Logger;
  #second = 0;
  #sent = 0;
  readonly perSecond: number;

  constructor(bus: EventBus | undefined, log: Logger, perSecond = 200) {
    this.#bus = bus;
    this.#log = log;
    this.perSecond = perSecond;
  }

  report(data: AccessDeniedData): void {
    if (!this.#bus) return;
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#sent = 0;
    }
    if (++this.#sent > this.perSecond) return;
    const event = makeEvent(
      'gateway',
      IDENTITY_EVENTS.accessDenied,
      data,
      data.actor_id ? { subject: data.actor_id } : {},
    );
    this.#bus.publish(event).catch((err: unknown) => this.#log.warn({ err }, 'access.denied not published'));
  }
}
