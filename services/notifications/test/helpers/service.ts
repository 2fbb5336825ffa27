/**
 * One notifications service for a describe block (workers polling every 50 ms), with the
 * helpers the inbox, bulk and consumer tests share. Call inside `describe`: it registers the
 * block's `beforeAll`/`afterAll`.
 */
import { afterAll, beforeAll } from 'vitest';
import { startTestServices, userCaller, type TestServices } from '@portico/kit/testing';
import notificationsService from '../../src/service.ts';

let seq = 0;
/** A user id no other test uses. */
export const uid = (p = 'u') => `${p}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

export function useNotifications() {
  let env: TestServices | undefined;
  beforeAll(async () => {
    env = await startTestServices([notificationsService], {
      env: { PORTICO_BULK_POLL_MS: '50', PORTICO_MAIL_POLL_MS: '50' },
    });
  });
  afterAll(() => env?.stop());
  const started = (): TestServices => {
    if (!env) throw new Error('the notifications service has not started');
    return env;
  };
  const as = (id: string, roles = ['user']) => started().as('notifications', userCaller(id, roles));
  return {
    get env() {
      return started();
    },
    as,
    /** The caller's inbox page. */
    listOf: async (id: string, query = '') =>
      (await as(id).get(`/api/v1/notifications${query}`)).body.data as any[],
    /** The users read model row notifications keeps for `id`. */
    readModel: (id: string) =>
      started()
        .services.get('notifications')!
        .deps.db.selectFrom('users')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst(),
  };
}
