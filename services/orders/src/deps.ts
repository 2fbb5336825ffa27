/** The kit's dependencies as this service sees them (typed by its schema). */
import type { ServiceApp, ServiceDeps } from '@portico/kit';
import type { OrdersDB } from './tables.ts';

export type Deps = ServiceDeps<OrdersDB>;
export type RouteModule = (app: ServiceApp, deps: Deps) => void;
