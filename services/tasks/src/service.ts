/**
 * tasks — tasks with a state machine, per-user categories, filtered and sorted keyset lists,
 * and the events notifications turns into messages (task.assigned → the assignee,
 * task.completed → the creator). See README.md.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { TasksEvents } from '@portico/contracts';
import { TASK_EVENTS } from './events.ts';
import { categoryRoutes } from './routes/categories.ts';
import { taskActionRoutes } from './routes/task-actions.ts';
import { taskRoutes } from './routes/tasks.ts';
import type { TasksDatabase } from './tables.ts';

export default defineService<TasksDatabase, Record<string, unknown>, TasksEvents>({
  name: 'tasks',
  version: '1.0.0',
  description: 'Tasks and categories: a state machine, filtered and sorted lists, events for notifications.',
  migrations: new URL('./migrations/', import.meta.url),
  publishes: [...TASK_EVENTS],
  routes(app, deps) {
    categoryRoutes(app, deps);
    taskRoutes(app, deps);
    taskActionRoutes(app, deps);
  },
});
