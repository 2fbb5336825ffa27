/**
 * staff — departments, staff members, salary history and absences, with the `staff.*` and
 * `absence.*` events curriculum and notifications consume. See README.md.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { StaffEvents } from '@portico/contracts';
import { STAFF_EVENTS } from './events.ts';
import { absenceRoutes } from './routes/absences.ts';
import { departmentRoutes } from './routes/departments.ts';
import { salaryRoutes } from './routes/salaries.ts';
import { staffRoutes } from './routes/staff.ts';
import type { StaffDatabase } from './tables.ts';

export default defineService<StaffDatabase, Record<string, unknown>, StaffEvents>({
  name: 'staff',
  version: '1.0.0',
  description:
    'Departments, staff members, salary history and absences (decided by admins or department heads).',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: STAFF_EVENTS,
  routes(app, deps) {
    departmentRoutes(app, deps);
    staffRoutes(app, deps);
    salaryRoutes(app, deps);
    absenceRoutes(app, deps);
  },
});
