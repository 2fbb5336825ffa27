/**
 * A real dead letter, for the tests of the operator routes: notifications' `notify` consumer
 * fails on the welcome of a new account because its database refuses the row (a check
 * constraint the test adds, naming a marker only that account's welcome carries), until the kit
 * parks the event. `clear()` removes the fault, after which a replay succeeds.
 */
import { randomBytes } from 'node:crypto';
import type { Session, System } from './harness.ts';

export interface ParkedLetter {
  service: string;
  id: string;
  consumer: string;
  event_type: string;
  event_subject: string | null;
  data: { user_id?: string } | null;
  error: string;
  attempts: number;
  status: string;
  replayed_at: string | null;
}

/** The admin's view of notifications' dead letters (`status` as the route takes it). */
export async function notificationLetters(admin: Session, status = 'parked'): Promise<ParkedLetter[]> {
  const res = await admin.client.get(`/api/v1/ops/dead-letters?service=notifications&status=${status}`);
  if (res.status !== 200) throw new Error(`dead letters answered ${res.status}`);
  return res.body.data as ParkedLetter[];
}

export async function parkWelcome(
  sys: System,
  admin: Session,
  constraint: string,
): Promise<{ newcomer: Session; letter: ParkedLetter; clear(): Promise<void> }> {
  const marker = `Parked ${randomBytes(4).toString('hex')}`;
  await sys.serviceSql(
    'notifications',
    `alter table notifications add constraint ${constraint} check (body not like '%${marker}%')`,
  );
  const newcomer = await sys.signUp({ full_name: marker });
  const letter = await sys.eventually(
    async () =>
      (await notificationLetters(admin)).find(
        (d) => d.event_type === 'user.registered' && d.event_subject === newcomer.id,
      ),
    30_000,
  );
  return {
    newcomer,
    letter,
    clear: () => sys.serviceSql('notifications', `alter table notifications drop constraint ${constraint}`),
  };
}

/** How many "Welcome to Portico" notifications the account has. */
export async function welcomes(who: Session): Promise<number> {
  const res = await who.client.get('/api/v1/notifications?limit=100');
  return (res.body.data as { title: string }[]).filter((n) => n.title === 'Welcome to Portico').length;
}
