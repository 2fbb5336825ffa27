/**
 * Who a caller may assign: themselves, or anyone with the `tasks:assign` permission (staff,
 * instructors, admins). Tasks keeps no user directory or teams, so without the permission a
 * user cannot make the platform notify other people with text they wrote (task.assigned mails
 * the assignee the title). Creating and changing a task both apply it.
 */
import { AppError, scopeOf, type Caller } from '@portico/kit';

export function checkAssignee(caller: Caller, assigneeId: string | null | undefined): void {
  if (assigneeId === undefined || assigneeId === null || assigneeId === caller.id) return;
  if (scopeOf(caller, 'tasks:assign') === 'all') return;
  throw new AppError(
    'forbidden',
    'You may assign tasks only to yourself (assigning others needs tasks:assign)',
    {
      errors: [{ field: 'assignee_id', code: 'not_permitted', message: 'may only be your own user id' }],
    },
  );
}
