/**
 * students — student records (unique number, email and login link; status; search, sort,
 * keyset pages; a student reads only their own) and the profile read model kept from
 * curriculum and finance events. See README.md.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { StudentEvents } from '@portico/contracts';
import { profileReadModel } from './consumers.ts';
import { STUDENT_EVENTS } from './events.ts';
import { profileRoutes } from './routes/profile.ts';
import { studentRoutes } from './routes/students.ts';
import type { StudentsDatabase } from './tables.ts';

export default defineService<StudentsDatabase, Record<string, unknown>, StudentEvents>({
  name: 'students',
  version: '1.0.0',
  description: 'Student records and the profile read model (enrolments, grades, GPA, balance).',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: STUDENT_EVENTS,
  consumers: [profileReadModel],
  routes(app, deps) {
    studentRoutes(app, deps);
    profileRoutes(app, deps);
  },
});
