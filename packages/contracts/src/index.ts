/**
 * @portico/contracts — what crosses service boundaries, agreed in code: each domain's event
 * data and event map, error codes and role grants. The kit holds the mechanisms (problem
 * registry, permission checker, event envelope); this package fills them, so adding a service
 * touches no kit file. Importing it registers every domain's codes and grants.
 */
import type { CurriculumEvents, FinanceEvents, StaffEvents, StudentEvents } from './education.ts';
import type { OrdersEvents, ShippingEvents, TasksEvents } from './commerce.ts';
import type { IdentityEvents } from './identity.ts';
import type { curriculumProblems, financeProblems, staffProblems } from './education-access.ts';
import type { ordersProblems } from './commerce.ts';
import type { identityProblems } from './identity.ts';
import type { notificationsProblems } from './notifications.ts';

export * from './identity.ts';
export * from './oauth.ts';
export * from './commerce.ts';
export * from './notifications.ts';
export * from './education.ts';
export * from './education-access.ts';

type IdentityProblems = typeof identityProblems;
type OrdersProblems = typeof ordersProblems;
type NotificationsProblems = typeof notificationsProblems;
type CurriculumProblems = typeof curriculumProblems;
type StaffProblems = typeof staffProblems;
type FinanceProblems = typeof financeProblems;

// The kit's event map and problem codes, completed with every domain's (declaration merging).
declare module '@portico/kit' {
  interface EventTypes
    extends
      IdentityEvents,
      OrdersEvents,
      ShippingEvents,
      TasksEvents,
      StudentEvents,
      CurriculumEvents,
      StaffEvents,
      FinanceEvents {}
  interface ProblemCodes
    extends
      IdentityProblems,
      OrdersProblems,
      NotificationsProblems,
      CurriculumProblems,
      StaffProblems,
      FinanceProblems {}
}
