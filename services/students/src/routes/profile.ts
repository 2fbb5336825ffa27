/**
 * `GET /api/v1/students/{id}/profile`: the student with their enrolments, grades, GPA,
 * competency progress and account balance — a read model kept from curriculum and finance
 * events (consumers.ts), so this route makes no call to another service. Who may read it is
 * who may read the student; the record itself missing is the only other 404.
 */
import type { ServiceApp } from '@portico/kit';
import { loadStudentFor, READ } from '../commands/access.ts';
import { readProfile } from '../repository/profile.ts';
import { profileView } from '../views.ts';
import { IdParams, ProfileSchema } from './schemas.ts';
import type { Deps } from '../events.ts';

export function profileRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/students/:id/profile',
    {
      config: { permission: READ },
      schema: {
        tags: ['students'],
        summary: 'A student’s profile: enrolments, grades, GPA, competency progress, balance',
        description:
          'Kept from `enrollment.*`, `grade.recorded`, `competency.progress_recorded` and ' +
          '`account.balance_changed` events, so it may trail a just-made change by a moment. ' +
          '`account` is null until finance reports a balance.',
        params: IdParams,
        response: { 200: ProfileSchema },
      },
    },
    async (req) => {
      const student = await loadStudentFor(deps.db, req.caller, req.params.id);
      return profileView(student, await readProfile(deps.db, student.id));
    },
  );
}
