/**
 * GraphQL at /graphql through the gateway in front of the real services: a user's 20 orders
 * with their shipments and tracking equal what the REST routes answer, in at most 3 upstream
 * calls counted by the services' own metrics; another user's orders never appear; a query 15
 * levels deep is refused; a revoked token meets the same 401 as on REST; a student reads their
 * enrolments and courses; and the schema's fields are the services' OpenAPI fields.
 */
import { randomBytes } from 'node:crypto';
import { ifMatchOf } from '@portico/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { FETCHING_FIELDS, FIELD_SOURCES, SDL } from '../../packages/gateway/src/graphql/sdl.ts';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';
import { createCourse, createStudent, enrol } from './school.ts';

const skip = await systemUnavailable();

type Json = Record<string, any>;

const ORDERS_QUERY = /* GraphQL */ `
  query Orders($first: Int!) {
    viewer {
      orders(first: $first) {
        id
        customer_id
        status
        total {
          amount
          currency
        }
        items {
          product_id
          sku
          quantity
          unit_price {
            amount
            currency
          }
        }
        shipment {
          id
          status
          tracking_number
          tracking {
            status
            history {
              status
              at
              note
            }
          }
        }
      }
    }
  }
`;

/** Requests the services answered on their /api routes, by their own metrics. */
async function apiRequests(sys: System, services: string[]): Promise<number> {
  let total = 0;
  for (const service of services) {
    const text = await (await fetch(`${sys.serviceUrl(service)}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('portico_http_request_duration_seconds_count{')) continue;
      const labels = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
      if (!labels.includes(`service="${service}"`) || !/route="\/api\//.test(labels)) continue;
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

describe.skipIf(skip)(`GraphQL through the gateway (${systemMode})`, () => {
  let sys: System;
  let staff: Session;
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let bobOrderId: string;

  const gql = (who: Session | null, query: string, variables?: Json) =>
    (who ? who.client : sys.anonymous).post('/graphql', { query, ...(variables && { variables }) });

  beforeAll(async () => {
    sys = await startSystem({
      services: ['identity', 'orders', 'shipping', 'tasks', 'students', 'curriculum', 'finance'],
    });
    admin = await sys.admin();
    staff = await sys.grantRoles(await sys.signUp(), ['staff']);
    [alice, bob] = await Promise.all([sys.signUp(), sys.signUp()]);
    const wh = await staff.client.post('/api/v1/warehouses', {
      code: 'MBA',
      name: 'Mombasa DC',
      latitude: -4.0435,
      longitude: 39.6682,
    });
    expect([201, 409]).toContain(wh.status);
    const product = await staff.client.post('/api/v1/products', {
      sku: `GQL-${randomBytes(4).toString('hex')}`,
      name: 'Kikoy',
      price: { amount: 120000, currency: 'KES' },
    });
    expect(product.status).toBe(201);
    const stock = await staff.client.put(
      `/api/v1/products/${product.body.id}/stock/MBA`,
      { quantity: 100 },
      await ifMatchOf(staff.client, `/api/v1/products/${product.body.id}`),
    );
    expect(stock.status).toBe(200);
    const order = async (who: Session, quantity: number) => {
      const cart = await who.client.post('/api/v1/carts', {});
      expect(cart.status).toBe(201);
      const item = await who.client.post(`/api/v1/carts/${cart.body.id}/items`, {
        product_id: product.body.id,
        quantity,
      });
      expect(item.status).toBe(201);
      const placed = await who.client.post('/api/v1/orders', {
        cart_id: cart.body.id,
        shipping_address: { name: 'Wanjiku Kamau', line1: '12 Moi Avenue', city: 'Mombasa', country: 'KE' },
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
      return placed.body.id as string;
    };
    const mine: string[] = [];
    for (let i = 0; i < 20; i++) mine.push(await order(alice, 1 + (i % 3)));
    bobOrderId = await order(bob, 1);
    // shipping creates each shipment from order.confirmed; two are dispatched (a longer history).
    await sys.eventually(async () => {
      const res = await alice.client.get('/api/v1/shipments?limit=100');
      return res.body.data?.length === 20;
    }, 30_000);
    for (const id of mine.slice(0, 2)) {
      const s = (await alice.client.get(`/api/v1/shipments?order_id=${id}`)).body.data[0];
      expect((await staff.client.post(`/api/v1/shipments/${s.id}/dispatch`, { carrier: 'G4S' })).status).toBe(
        200,
      );
    }
    // orders follows shipment.dispatched (status shipped): wait for it, so REST and GraphQL read the same state.
    await sys.eventually(async () => {
      const res = await alice.client.get('/api/v1/orders?limit=100');
      return (res.body.data as Json[]).filter((o) => o.status === 'shipped').length === 2;
    }, 30_000);
  }, 240_000);
  afterAll(() => sys?.stop());

  it("answers a user's 20 orders with shipments and tracking as REST does, in at most 3 upstream calls", async () => {
    const before = await apiRequests(sys, ['identity', 'orders', 'shipping']);
    const res = await gql(alice, ORDERS_QUERY, { first: 20 });
    const after = await apiRequests(sys, ['identity', 'orders', 'shipping']);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const orders = res.body.data.viewer.orders as Json[];
    expect(orders).toHaveLength(20);
    expect(after - before).toBeLessThanOrEqual(3);
    expect(res.body.extensions.upstream_calls).toBe(after - before);
    expect(res.body.extensions.cost).toBeGreaterThan(20);

    // The same data from the REST routes, one call per order and shipment.
    const list = (await alice.client.get('/api/v1/orders?limit=20')).body.data as Json[];
    const expected = [];
    for (const o of list) {
      const s = (await alice.client.get(`/api/v1/shipments?order_id=${o.id}`)).body.data[0];
      const t = (await alice.client.get(`/api/v1/shipments/${s.id}/tracking`)).body;
      expected.push({
        id: o.id,
        customer_id: o.customer_id,
        status: o.status,
        total: o.total,
        items: o.items.map((i: Json) => ({
          product_id: i.product_id,
          sku: i.sku,
          quantity: i.quantity,
          unit_price: i.unit_price,
        })),
        shipment: {
          id: s.id,
          status: s.status,
          tracking_number: s.tracking_number,
          tracking: { status: t.status, history: t.history },
        },
      });
    }
    expect(orders).toEqual(expected);
    expect(orders.every((o) => o.customer_id === alice.id)).toBe(true);
    expect(orders.filter((o) => o.shipment.tracking.history.length === 2)).toHaveLength(2);
  });

  it("never shows another user's orders: bob sees his one, alice's order by id is not found", async () => {
    const res = await gql(bob, ORDERS_QUERY, { first: 50 });
    expect(res.status).toBe(200);
    expect((res.body.data.viewer.orders as Json[]).map((o) => o.id)).toEqual([bobOrderId]);

    const aliceOrder = (await alice.client.get('/api/v1/orders?limit=1')).body.data[0].id as string;
    const rest = await bob.client.get(`/api/v1/orders/${aliceOrder}`);
    expect(rest.status).toBe(404);
    const byId = await gql(bob, `{ order(id: "${aliceOrder}") { id status } }`);
    expect(byId.status).toBe(200);
    expect(byId.body.data.order).toBeNull();
    expect(byId.body.errors[0].extensions).toMatchObject({ code: rest.body.code, status: 404 });
    expect(byId.body.errors[0].path).toEqual(['order']);
  });

  it('refuses a query 15 levels deep with a GraphQL error, running nothing', async () => {
    let deep = 'id';
    for (let i = 0; i < 6; i++) deep = `shipment { order { ${deep} } }`;
    const query = `{ viewer { orders(first: 1) { ${deep} } } }`;
    const before = await apiRequests(sys, ['orders', 'shipping']);
    // GraphQL over HTTP: 400 for a client that takes application/graphql-response+json …
    const res = await alice.client.post(
      '/graphql',
      { query },
      { accept: 'application/graphql-response+json' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'query_too_deep', depth: 15, max_depth: 10 });
    expect(await apiRequests(sys, ['orders', 'shipping'])).toBe(before);

    // … and 200 with the same errors (no data) for application/json.
    const plain = await gql(alice, query);
    expect([plain.status, plain.body.data, plain.body.errors[0].extensions.code]).toEqual([
      200,
      undefined,
      'query_too_deep',
    ]);
    // A variable of the wrong type: graphql-js's message, a code of its own, nothing run.
    const typed = await gql(alice, 'query($n: Int!) { viewer { orders(first: $n) { id } } }', { n: 'x' });
    expect(typed.body.errors[0].extensions.code).toBe('graphql_validation_failed');
    expect(typed.body.errors[0].message).toMatch(/\$n/);
    // Too many aliases and a cost over the limit are refused the same way.
    const aliased = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    expect((await gql(alice, aliased)).body.errors[0].extensions.code).toBe('too_many_aliases');
    const wide = (a: string) => `${a}: orders(first: 100) { shipment { order { shipment { id } } } }`;
    const costly = `{ viewer { ${['a', 'b', 'c', 'd'].map(wide).join(' ')} } }`;
    const refused = await gql(alice, costly);
    expect([refused.status, refused.body.errors?.[0].extensions.code]).toEqual([200, 'query_too_costly']);
    expect(refused.body.errors[0].extensions).toMatchObject({ cost: 1205, max_cost: 1000 });
  });

  it('answers a revoked token with the same 401 as REST', async () => {
    const carol = await sys.signUp();
    expect(
      (await carol.client.post('/api/v1/auth/logout', { refresh_token: carol.refresh_token })).status,
    ).toBe(204);
    const rest = await sys.eventually(async () => {
      const r = await carol.client.get('/api/v1/orders');
      return r.status === 401 ? r : null;
    });
    const res = await gql(carol, ORDERS_QUERY, { first: 5 });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe(rest.headers.get('content-type'));
    expect(res.headers.get('www-authenticate')).toBe(rest.headers.get('www-authenticate'));
    const { instance: _i, request_id: _r, ...body } = res.body as Json;
    const { instance: _i2, request_id: _r2, ...restBody } = rest.body as Json;
    expect(body).toEqual(restBody);

    // Anonymous: the query runs, each field meets the REST route's 401.
    const anon = await gql(null, '{ viewer { orders { id } } }');
    expect(anon.status).toBe(200);
    expect(anon.body.errors[0].extensions).toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it("reads a student's enrolments with their courses", async () => {
    const student = await createStudent(sys, admin);
    const course = await createCourse(sys, admin);
    await enrol(sys, admin, student.id, course.id);
    const query = `{
      student(id: "${student.id}") { id full_name enrollments { status course { id code title } } }
      viewer { student { id } }
    }`;
    const res = await gql(student.session, query);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.viewer.student.id).toBe(student.id);
    expect(res.body.data.student.enrollments).toEqual([
      { status: 'active', course: { id: course.id, code: course.code, title: course.title } },
    ]);
    // Another student's record: the same 404 as REST, as an error.
    const other = await createStudent(sys, admin);
    const theirs = await gql(student.session, `{ student(id: "${other.id}") { id } }`);
    expect(theirs.body.data.student).toBeNull();
    expect(theirs.body.errors[0].extensions.status).toBe(
      (await student.session.client.get(`/api/v1/students/${other.id}`)).status,
    );
  });

  it("keeps the schema in step with the services' OpenAPI, and documents /graphql there", async () => {
    // GraphiQL, served by the gateway from node_modules (no CDN).
    const page = await fetch(`${sys.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of html.match(/\/graphql\/[a-z.-]+\.(js|css)/g)!) {
      const res = await fetch(`${sys.url}${src}`);
      expect(res.status, src).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }

    const doc = (await sys.anonymous.get('/openapi.json')).body as Json;
    expect(Object.keys(doc.paths['/graphql'])).toEqual(expect.arrayContaining(['get', 'post']));
    const deref = (s: Json): Json => {
      if (!s?.$ref) return s;
      const name = String(s.$ref).split('/').pop()!;
      return deref(doc.components.schemas[name]);
    };
    const typesOf = (raw: Json): Set<string> => {
      const s = deref(raw);
      const out = new Set<string>();
      for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) for (const t of typesOf(alt)) out.add(t);
      if (Array.isArray(s.type)) for (const t of s.type) out.add(t);
      else if (typeof s.type === 'string') out.add(s.type);
      if (s.nullable) out.add('null');
      for (const v of s.enum ?? [])
        out.add(v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v);
      if ('const' in s) out.add(s.const === null ? 'null' : typeof s.const);
      return out;
    };
    const objectOf = (raw: Json): Json => {
      const s = deref(raw);
      const alt = [...(s.anyOf ?? []), ...(s.oneOf ?? [])].map(deref).find((a) => a.properties);
      return alt ?? s;
    };
    const schema = buildSchema(SDL);
    const problems: string[] = [];
    const wanted: Record<string, string[]> = {
      String: ['string'],
      ID: ['string'],
      Int: ['integer'],
      Float: ['number', 'integer'],
      Boolean: ['boolean'],
    };
    for (const [typeName, source] of Object.entries(FIELD_SOURCES)) {
      const [method, path] = source.operation.split(' ') as [string, string];
      const op = doc.paths[path]?.[method];
      if (!op) {
        problems.push(`${typeName}: ${source.operation} is not in /openapi.json`);
        continue;
      }
      const body = op.responses['200']?.content?.['application/json']?.schema;
      if (!body) {
        problems.push(`${typeName}: ${source.operation} documents no JSON 200`);
        continue;
      }
      let s = objectOf(body);
      if (source.at === 'item') s = objectOf(objectOf(s.properties.data).items);
      else if (source.at.startsWith('field:')) {
        const name = source.at.slice(6).replace('[]', '');
        s = objectOf(s.properties[name]);
        if (source.at.endsWith('[]')) s = objectOf(s.items);
      }
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (FETCHING_FIELDS[`${typeName}.${field.name}`] || isObjectType(getNamedType(field.type))) continue;
        const prop = s.properties?.[field.name];
        if (!prop) {
          problems.push(`${typeName}.${field.name}: no such field in ${source.operation}`);
          continue;
        }
        const types = typesOf(prop);
        const inner = getNullableType(field.type);
        const scalar = getNamedType(field.type);
        if (isListType(inner)) {
          if (!types.has('array'))
            problems.push(`${typeName}.${field.name}: not an array in ${source.operation}`);
        } else if (isScalarType(scalar) && !wanted[scalar.name]!.some((t) => types.has(t)))
          problems.push(
            `${typeName}.${field.name}: ${scalar.name} but ${[...types].join('|')} in ${source.operation}`,
          );
        if (isNonNullType(field.type) && types.has('null'))
          problems.push(`${typeName}.${field.name}: non-null but nullable in ${source.operation}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
