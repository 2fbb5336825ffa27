/**
 * A payment whose first attempt committed but never answered (the process died between commit
 * and response, so the kit's reservation stayed `in_progress`) is answered on retry with the same
 * payment — never recorded twice.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '@portico/kit/testing';
import finance from '../src/service.ts';
import { balanceOf, callers, issue, openAccount, pay, uid } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`finance payment retried after a crash (${matrixLabel})`, () => {
  let env: TestServices;
  let c: ReturnType<typeof callers>;
  beforeAll(async () => {
    env = await startTestServices([finance]);
    c = callers(env);
  });
  afterAll(() => env?.stop());

  it('answers the retry with the payment the lost response was for', async () => {
    const staffId = uid('cashier');
    const s = await openAccount(env, c.staff);
    const inv = await issue(c.staff, s.student_id, [1000]);
    const key = uid('key');
    const first = await pay(env.as('finance', userCaller(staffId, ['staff'])), inv.id, 250, key);
    expect(first.status).toBe(201);
    // What a crash after commit leaves behind once its lease has expired: the payment, and the
    // kit's record of the key unfinished (no answer stored).
    const db = env.services.get('finance')!.deps.db;
    await sql`update kit_idempotency set state = 'in_progress', status_code = null, body = null,
              locked_until = now() - interval '1 second' where key = ${key}`.execute(db);
    await env.restart('finance');
    // the same cashier retries (keys are scoped per caller), against the restarted service
    const cashier = env.as('finance', userCaller(staffId, ['staff']));
    const retry = await env.eventually(async () => {
      const r = await pay(cashier, inv.id, 250, key);
      return r.status === 201 ? r : null;
    });
    expect(retry.body.id).toBe(first.body.id);
    c = callers(env);
    const payments = await c.staff.get(`/api/v1/payments?invoice_id=${inv.id}`);
    expect(payments.body.data).toHaveLength(1);
    expect(await balanceOf(c.staff, s.student_id)).toBe(750);
  });
});
