/**
 * The profile read model, kept only from other services' events (no synchronous calls on the
 * profile path): curriculum's enrolments, grades and competency progress, finance's balance.
 *
 * - Stored by `student_id` whether or not the student record exists yet: `student.created`
 *   and curriculum's events travel separately and either may arrive first. The profile route
 *   answers 404 only when the student record itself is missing.
 * - Out of order is fine: each row keeps the (time, id) of the event that wrote it and only a
 *   later event overwrites it (repository/profile.ts). Redelivery is dropped by the kit's inbox.
 * - A malformed payload throws: the kit retries it, then parks it as a dead letter where an
 *   operator can inspect and replay it, instead of it silently vanishing.
 */
import { defineConsumer, type ConsumerContext, type EventEnvelope } from '@portico/kit';
import { PROFILE_EVENTS, type ProfileEventData, type ProfileEventType } from './events.ts';
import {
  applyBalance,
  applyCompetency,
  applyEnrollment,
  applyGrade,
  type EventStamp,
} from './repository/profile.ts';
import type { Deps } from './events.ts';

type Shape = Record<string, 'string' | 'number' | 'integer'>;

const SHAPES: Record<ProfileEventType, Shape> = {
  'enrollment.created': {
    enrollment_id: 'string',
    student_id: 'string',
    course_id: 'string',
    course_code: 'string',
    course_title: 'string',
    credits: 'number',
  },
  'enrollment.dropped': {
    enrollment_id: 'string',
    student_id: 'string',
    course_id: 'string',
    course_code: 'string',
    course_title: 'string',
    credits: 'number',
  },
  'grade.recorded': {
    enrollment_id: 'string',
    student_id: 'string',
    course_id: 'string',
    course_code: 'string',
    course_title: 'string',
    credits: 'number',
    score: 'number',
    grade: 'string',
    grade_points: 'number',
    scale: 'string',
  },
  'competency.progress_recorded': {
    progress_id: 'string',
    student_id: 'string',
    competency_id: 'string',
    competency_code: 'string',
    status: 'string',
    proficiency_level: 'integer',
    assessed_by: 'string',
  },
  'account.balance_changed': {
    account_id: 'string',
    student_id: 'string',
    balance: 'integer',
    currency: 'string',
  },
};

/** The event's data, checked against the fields the read model needs (throws naming the first bad one). */
function dataOf<K extends ProfileEventType>(type: K, event: EventEnvelope<unknown>): ProfileEventData[K] {
  const data = event.data as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null) throw new Error(`${type}: data is not an object`);
  for (const [field, kind] of Object.entries(SHAPES[type])) {
    const v = data[field];
    const ok =
      kind === 'string'
        ? typeof v === 'string'
        : kind === 'integer'
          ? Number.isSafeInteger(v)
          : typeof v === 'number' && Number.isFinite(v);
    if (!ok) throw new Error(`${type}: data.${field} must be a ${kind}`);
  }
  return data as unknown as ProfileEventData[K];
}

export const profileReadModel = defineConsumer({
  name: 'profile',
  types: PROFILE_EVENTS,
  async handle(event, { trx }: ConsumerContext<Deps>) {
    const at: EventStamp = { time: event.time, id: event.id };
    const type = event.type;
    switch (type) {
      case 'enrollment.created':
      case 'enrollment.dropped': {
        const d = dataOf(type, event);
        await applyEnrollment(
          trx,
          {
            enrollment_id: d.enrollment_id,
            student_id: d.student_id,
            course_id: d.course_id,
            course_code: d.course_code,
            course_title: d.course_title,
            credits: d.credits,
            status: type === 'enrollment.created' ? 'active' : 'dropped',
          },
          at,
        );
        return;
      }
      case 'grade.recorded': {
        const d = dataOf(type, event);
        await applyGrade(
          trx,
          {
            student_id: d.student_id,
            course_id: d.course_id,
            enrollment_id: d.enrollment_id,
            course_code: d.course_code,
            course_title: d.course_title,
            credits: d.credits,
            score: d.score,
            grade: d.grade,
            grade_points: d.grade_points,
            scale: d.scale,
          },
          at,
        );
        return;
      }
      case 'competency.progress_recorded': {
        const d = dataOf(type, event);
        await applyCompetency(
          trx,
          {
            student_id: d.student_id,
            competency_id: d.competency_id,
            competency_code: d.competency_code,
            progress_id: d.progress_id,
            status: d.status,
            proficiency_level: d.proficiency_level,
            assessed_by: d.assessed_by,
          },
          at,
        );
        return;
      }
      case 'account.balance_changed': {
        const d = dataOf(type, event);
        await applyBalance(
          trx,
          { student_id: d.student_id, account_id: d.account_id, balance: d.balance, currency: d.currency },
          at,
        );
        return;
      }
      default:
        throw new Error(`profile read model does not handle ${String(type)}`);
    }
  },
});
