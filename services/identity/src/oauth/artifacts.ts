/**
 * oidc-provider's storage adapter over identity's own table (`oauth_artifacts`, migration 002),
 * so the provider works on PGlite (embedded) and PostgreSQL (distributed) alike and every
 * replica sees the same sessions, grants and tokens.
 *
 * Access tokens are JWTs the library does not store. A grant revoked (refresh-token reuse, RFC
 * 9700 §4.14.2; logout; consent withdrawn) reaches the gateway from here, in the transaction that
 * deletes its rows: `session.revoked` with the grant id, which is every such token's `sid`.
 * One access token revoked through the revocation endpoint: token-endpoints.ts.
 */
import { jsonb } from '@portico/kit';
import { sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Deps } from '../deps.ts';
import { publishSessionRevoked } from '../events.ts';
import { clientMetadata } from './client-metadata.ts';
import { findLiveOAuthClient } from '../repository/oauth-clients.ts';

export class ArtifactStore implements Adapter {
  readonly #deps: Deps;
  readonly #model: string;

  constructor(deps: Deps, model: string) {
    this.#deps = deps;
    this.#model = model;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
    const row = {
      model: this.#model,
      id,
      payload: jsonb(payload as Record<string, unknown>),
      // A grant's own row is found by its id too, so revoking the grant removes it with its tokens.
      grant_id: this.#model === 'Grant' ? id : (payload.grantId ?? null),
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      expires_at: expiresAt,
    };
    await this.#deps.db
      .insertInto('oauth_artifacts')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['model', 'id']).doUpdateSet({
          payload: row.payload,
          grant_id: row.grant_id,
          uid: row.uid,
          user_code: row.user_code,
          expires_at: row.expires_at,
        }),
      )
      .execute();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    if (this.#model === 'Client') {
      const client = await findLiveOAuthClient(this.#deps.db, id);
      return client ? (clientMetadata(client) as AdapterPayload) : undefined;
    }
    return this.#findBy('id', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findBy('user_code', userCode);
  }

  async #findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.#deps.db
      .selectFrom('oauth_artifacts')
      .select(['payload', 'consumed_at'])
      .where('model', '=', this.#model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]))
      .executeTakeFirst();
    if (!row) return undefined;
    const payload = row.payload as AdapterPayload;
    return row.consumed_at
      ? { ...payload, consumed: Math.floor(new Date(row.consumed_at).getTime() / 1000) }
      : payload;
  }

  async consume(id: string): Promise<void> {
    await this.#deps.db
      .updateTable('oauth_artifacts')
      .set({ consumed_at: new Date() })
      .where('model', '=', this.#model)
      .where('id', '=', id)
      .execute();
  }

  async destroy(id: string): Promise<void> {
    await this.#deps.db
      .deleteFrom('oauth_artifacts')
      .where('model', '=', this.#model)
      .where('id', '=', id)
      .execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#deps.tx(async (trx) => {
      const rows = await trx
        .deleteFrom('oauth_artifacts')
        .where('grant_id', '=', grantId)
        .returning(['payload'])
        .execute();
      const accountId = rows.map((r) => r.payload.accountId).find((a) => typeof a === 'string');
      // Every access token of the grant carries `sid` = the grant id: one denylist entry covers them.
      if (typeof accountId === 'string')
        await publishSessionRevoked(this.#deps, trx, accountId, [grantId], 'grant_revoked');
    });
  }
}

/** Drops artifacts that expired over a day ago (housekeeping; the provider never reads them). */
export async function pruneOAuthArtifacts(deps: Deps): Promise<void> {
  await sql`delete from oauth_artifacts where expires_at < now() - interval '1 day'`.execute(deps.db);
  await sql`delete from oauth_revoked_tokens where expires_at < now()`.execute(deps.db);
}
