/**
 * The executable schema: `SDL` with resolvers that read the REST routes. A resolver never
 * reaches a service itself: it asks `Upstream.get` for a gateway path, which runs it through
 * the gateway's whole request path with the caller's credentials (pipeline/graphql.ts). Per
 * request, DataLoaders batch and de-duplicate: every `GET` path is fetched once, and the
 * shipments of every order in the answer come from one `GET /api/v1/shipments?order_id=…`
 * call with their tracking included.
 */
import DataLoader from 'dataloader';
import { buildSchema, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { SDL } from './sdl.ts';

/** One answer of a route, as the resolvers see it. */
export interface Answer {
  status: number;
  body: unknown;
}

/** What the resolvers of one request call. */
export interface Upstream {
  /** GET a gateway path (with its query) as the caller. */
  fetch(path: string): Promise<Answer>;
  /** The largest `first:` a list takes. */
  maxList: number;
}

type Json = Record<string, unknown>;

/** The `GET /api/v1/shipments?order_id=` filter takes at most this many ids per call. */
export const ORDER_IDS_PER_CALL = 100;

/** A problem answer as a GraphQL error: its `code` becomes `extensions.code`. */
export function upstreamError(path: string, a: Answer): GraphQLError {
  const p = (typeof a.body === 'object' && a.body !== null ? a.body : {}) as Json;
  const code = typeof p.code === 'string' ? p.code : a.status >= 500 ? 'bad_gateway' : 'upstream_error';
  const message =
    typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : `HTTP ${a.status}`;
  const extensions: Json = { code, status: a.status, path: path.split('?')[0] };
  if (Array.isArray(p.errors)) extensions.errors = p.errors;
  if (typeof p.request_id === 'string') extensions.request_id = p.request_id;
  return new GraphQLError(message, { extensions });
}

export class Loaders {
  readonly #up: Upstream;
  /** Every GET of this request, by path: asked twice, fetched once. */
  readonly paths: DataLoader<string, unknown>;
  /** An order's shipment (with its tracking), or null: one call for up to 100 orders. */
  readonly shipmentOfOrder: DataLoader<string, Json | null>;

  constructor(up: Upstream) {
    this.#up = up;
    this.paths = new DataLoader(
      (paths) =>
        Promise.all(
          paths.map(async (path) => {
            const a = await up.fetch(path);
            return a.status >= 200 && a.status < 300 ? a.body : upstreamError(path, a);
          }),
        ),
      { batch: false },
    );
    this.shipmentOfOrder = new DataLoader((ids) => this.#shipments(ids), {
      maxBatchSize: ORDER_IDS_PER_CALL,
    });
  }

  get maxList(): number {
    return this.#up.maxList;
  }

  async #shipments(orderIds: readonly string[]): Promise<(Json | null | Error)[]> {
    const q = new URLSearchParams();
    for (const id of orderIds) q.append('order_id', id);
    q.set('include', 'tracking');
    q.set('limit', String(ORDER_IDS_PER_CALL));
    const path = `/api/v1/shipments?${q}`;
    const a = await this.#up.fetch(path);
    if (a.status < 200 || a.status >= 300) {
      const err = upstreamError(path, a);
      return orderIds.map(() => err);
    }
    const byOrder = new Map<string, Json>();
    for (const s of ((a.body as Json).data ?? []) as Json[]) byOrder.set(String(s.order_id), s);
    return orderIds.map((id) => byOrder.get(id) ?? null);
  }

  /** The body of a GET (a GraphQL error in its place when the route refused). */
  async get(path: string): Promise<Json> {
    return (await this.paths.load(path)) as Json;
  }

  /** The `data` of a list route's first page. */
  async list(path: string, first: unknown, params: Record<string, string | undefined> = {}): Promise<Json[]> {
    const n = typeof first === 'number' ? first : 20;
    if (!Number.isInteger(n) || n < 1 || n > this.maxList)
      throw new GraphQLError(`first must be between 1 and ${this.maxList}`, {
        extensions: { code: 'validation_failed', field: 'first' },
      });
    const q = new URLSearchParams({ limit: String(n) });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    const page = await this.get(`${path}?${q}`);
    return (page.data ?? []) as Json[];
  }
}

type Resolver = GraphQLFieldResolver<Json, Loaders, Record<string, unknown>>;

const seg = (v: unknown) => encodeURIComponent(String(v));

const RESOLVERS: Record<string, Record<string, Resolver>> = {
  Query: {
    viewer: () => ({}),
    order: (_, a, l) => l.get(`/api/v1/orders/${seg(a.id)}`),
    shipment: (_, a, l) => l.get(`/api/v1/shipments/${seg(a.id)}`),
    task: (_, a, l) => l.get(`/api/v1/tasks/${seg(a.id)}`),
    student: (_, a, l) => l.get(`/api/v1/students/${seg(a.id)}`),
    course: (_, a, l) => l.get(`/api/v1/courses/${seg(a.id)}`),
    invoice: (_, a, l) => l.get(`/api/v1/invoices/${seg(a.id)}`),
  },
  Viewer: {
    id: async (_, __, l) => (await l.get('/api/v1/auth/me')).id,
    email: async (_, __, l) => (await l.get('/api/v1/auth/me')).email,
    full_name: async (_, __, l) => (await l.get('/api/v1/auth/me')).full_name,
    roles: async (_, __, l) => (await l.get('/api/v1/auth/me')).roles,
    orders: (_, a, l) =>
      l.list('/api/v1/orders', a.first, { status: typeof a.status === 'string' ? a.status : undefined }),
    tasks: (_, a, l) => l.list('/api/v1/tasks', a.first),
    student: async (_, __, l) => {
      try {
        return await l.get('/api/v1/students/me');
      } catch (err) {
        // No student record is linked to this login: null, as the field says.
        if (err instanceof GraphQLError && err.extensions.status === 404) return null;
        throw err;
      }
    },
  },
  Order: {
    shipment: (o, _, l) => l.shipmentOfOrder.load(String(o.id)),
  },
  Shipment: {
    tracking: async (s, _, l) => {
      if (Array.isArray(s.tracking))
        return {
          shipment_id: s.id,
          order_id: s.order_id,
          tracking_number: s.tracking_number,
          status: s.status,
          carrier: s.carrier,
          history: s.tracking,
        };
      return l.get(`/api/v1/shipments/${seg(s.id)}/tracking`);
    },
    order: (s, _, l) => l.get(`/api/v1/orders/${seg(s.order_id)}`),
  },
  Task: {
    category: (t, _, l) => (t.category_id ? l.get(`/api/v1/categories/${seg(t.category_id)}`) : null),
    assignee: (t, _, l) => (t.assignee_id ? l.get(`/api/v1/users/${seg(t.assignee_id)}`) : null),
  },
  Student: {
    enrollments: (s, a, l) => l.list(`/api/v1/students/${seg(s.id)}/enrollments`, a.first),
    account: (s, _, l) => l.get(`/api/v1/students/${seg(s.id)}/account`),
    invoices: (s, a, l) => l.list('/api/v1/invoices', a.first, { student_id: String(s.id) }),
  },
  Enrollment: {
    course: (e, _, l) => l.get(`/api/v1/courses/${seg(e.course_id)}`),
  },
  Invoice: {
    payments: (i, a, l) => l.list('/api/v1/payments', a.first, { invoice_id: String(i.id) }),
  },
};

let schema: GraphQLSchema | null = null;

/** The schema with its resolvers (built once). */
export function portico(): GraphQLSchema {
  if (schema) return schema;
  const s = buildSchema(SDL);
  for (const [typeName, fields] of Object.entries(RESOLVERS)) {
    const type = s.getType(typeName);
    if (!type || !('getFields' in type)) throw new Error(`GraphQL resolvers for unknown type ${typeName}`);
    const defs = type.getFields() as Record<string, { resolve?: Resolver }>;
    for (const [name, resolve] of Object.entries(fields)) {
      if (!defs[name]) throw new Error(`GraphQL resolver for unknown field ${typeName}.${name}`);
      defs[name].resolve = resolve;
    }
  }
  return (schema = s);
}
