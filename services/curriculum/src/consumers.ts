/**
 * What curriculum keeps from other services' events: the students it may enrol (id, status,
 * user_id from `student.*`) and the staff who may teach (from `staff.*`). Each event carries the
 * whole record, so a handler is an upsert; an event older than the row (a late redelivery) is
 * ignored, and the kit's inbox drops exact duplicates. A deactivated student keeps every
 * enrolment and grade: only new enrolments are refused.
 */
import { defineConsumer, type ConsumerContext } from '@portico/kit';
import type { Deps } from './deps.ts';
import { STAFF_EVENTS, STUDENT_EVENTS } from './events.ts';
import { upsertPerson } from './repository/people.ts';

export const studentDirectory = defineConsumer({
  name: 'student-directory',
  types: STUDENT_EVENTS,
  async handle(event, { trx, log }: ConsumerContext<Deps>) {
    const d = event.data;
    const applied = await upsertPerson(trx, 'known_students', {
      id: d.student_id,
      user_id: d.user_id,
      status: d.status,
      event_time: new Date(event.time),
    });
    if (!applied) log.info({ student_id: d.student_id, event_id: event.id }, 'stale student event ignored');
  },
});

export const staffDirectory = defineConsumer({
  name: 'staff-directory',
  types: STAFF_EVENTS,
  async handle(event, { trx, log }: ConsumerContext<Deps>) {
    const d = event.data;
    const applied = await upsertPerson(trx, 'known_staff', {
      id: d.staff_id,
      user_id: d.user_id,
      status: d.status,
      event_time: new Date(event.time),
    });
    if (!applied) log.info({ staff_id: d.staff_id, event_id: event.id }, 'stale staff event ignored');
  },
});
