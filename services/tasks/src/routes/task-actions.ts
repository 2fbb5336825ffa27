/**
 * `POST /api/v1/tasks/{id}/start|complete|cancel|reopen`: the state machine's transitions
 * (domain/task-state.ts), for the creator, the assignee or an admin. A transition the current
 * status does not allow answers 409 `invalid_state`.
 */
import type { ServiceApp } from '@portico/kit';
import { actOnTask } from '../commands/transitions.ts';
import type { Deps } from '../deps.ts';
import type { TaskAction } from '../domain/task-state.ts';
import { publicTask } from '../views.ts';
import { IdParams } from './common.ts';
import { TaskSchema } from './tasks.ts';

const SUMMARIES: Record<TaskAction, string> = {
  start: 'Start a task (pending → in_progress)',
  complete: 'Complete a task (in_progress → completed; sets completed_at)',
  cancel: 'Cancel a task (pending or in_progress → cancelled)',
  reopen: 'Reopen a task (completed → pending; clears completed_at)',
};

export function taskActionRoutes(app: ServiceApp, deps: Deps): void {
  for (const action of Object.keys(SUMMARIES) as TaskAction[]) {
    app.post(
      `/api/v1/tasks/:id/${action}`,
      {
        config: { permission: 'tasks:update' },
        schema: {
          tags: ['tasks'],
          summary: SUMMARIES[action],
          params: IdParams,
          response: { 200: TaskSchema },
        },
      },
      async (req) => {
        const row = await actOnTask(deps, { caller: req.caller }, req.params.id, action);
        return publicTask(row, new Date());
      },
    );
  }
}
