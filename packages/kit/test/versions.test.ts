/**
 * The version chain (versions/chain.ts) on its own: requests upgraded oldest change first,
 * answers downgraded newest change first, only through the changes dated after the caller's
 * version; older bodies validated in their own shape; the OpenAPI document at each version;
 * and the checks a service's declaration must pass at start.
 */
import { describe, expect, it } from 'vitest';
import { Type, type Static } from 'typebox';
import { strictAjv } from '../src/http/app.ts';
import { checkChanges, routeChange, VersionChain, type VersionChange } from '../src/versions/chain.ts';
import { API_VERSIONS, effectiveVersion, LATEST_API_VERSION } from '../src/versions/calendar.ts';

// A calendar of three dates: a client can be two changes behind.
const CALENDAR = ['2026-01-01', '2026-06-01', '2026-12-01'];
const [V1, V2, V3] = CALENDAR as [any, any, any];
const compile = (s: object) => strictAjv.compile(s);

// v1: { name, price, currency } · v2 (2026-06-01): `name` → `title` · v3: `price` → { amount, currency }.
const ItemV1 = Type.Object({ name: Type.String(), price: Type.Integer(), currency: Type.String() });
const ItemV2 = Type.Object({ title: Type.String(), price: Type.Integer(), currency: Type.String() });
const ItemV3 = Type.Object({
  title: Type.String(),
  price: Type.Object({ amount: Type.Integer(), currency: Type.String() }),
});
type V1Item = Static<typeof ItemV1>;
type V2Item = Static<typeof ItemV2>;
type V3Item = Static<typeof ItemV3>;

const renamed: VersionChange = {
  date: V2,
  description: 'name is now title',
  transforms: {
    'POST /items': routeChange({
      request: { before: ItemV1, upgrade: ({ name, ...b }): V2Item => ({ ...b, title: name }) },
      response: { before: ItemV1, downgrade: ({ title, ...b }: V2Item): V1Item => ({ ...b, name: title }) },
    }),
    'GET /items/:id': routeChange({
      response: { before: ItemV1, downgrade: ({ title, ...b }: V2Item): V1Item => ({ ...b, name: title }) },
    }),
  },
};
const money: VersionChange = {
  date: V3,
  description: 'money as objects',
  transforms: {
    'POST /items': routeChange({
      request: {
        before: ItemV2,
        upgrade: ({ price, currency, ...b }): V3Item => ({ ...b, price: { amount: price, currency } }),
      },
      response: {
        before: ItemV2,
        downgrade: ({ price, ...b }: V3Item): V2Item => ({
          ...b,
          price: price.amount,
          currency: price.currency,
        }),
      },
    }),
  },
};
// Declared out of order on purpose: the chain sorts by date.
const chain = new VersionChain('items', [money, renamed], compile, CALENDAR);

describe('the version chain', () => {
  it('upgrades an old request through every later change, oldest first', () => {
    expect(chain.upgradeRequest(V1, 'POST /items', { name: 'Kikoy', price: 150, currency: 'KES' })).toEqual({
      ok: true,
      body: { title: 'Kikoy', price: { amount: 150, currency: 'KES' } },
    });
    // One change behind: only the newer change applies.
    expect(chain.upgradeRequest(V2, 'POST /items', { title: 'Kikoy', price: 150, currency: 'KES' })).toEqual({
      ok: true,
      body: { title: 'Kikoy', price: { amount: 150, currency: 'KES' } },
    });
    // At the latest version, nothing is touched (not even validated here: the route does it).
    const latest = { anything: true };
    expect(chain.upgradeRequest(V3, 'POST /items', latest)).toEqual({ ok: true, body: latest });
    expect(chain.steps(V3, 'POST /items')).toEqual([]);
  });

  it('validates an old request in its own shape, naming the fields that client sent', () => {
    const out = chain.upgradeRequest(V1, 'POST /items', { name: 'x', price: 1.5 });
    expect(out.ok).toBe(false);
    const errors = (out as { errors: { field: string; code: string }[] }).errors;
    expect(errors.map((e) => [e.field, e.code]).sort()).toEqual([
      ['currency', 'required'],
      ['price', 'invalid_type'],
    ]);
  });

  it('downgrades an answer newest change first, only through the changes after the version', () => {
    const newest: V3Item = { title: 'Kikoy', price: { amount: 150, currency: 'KES' } };
    expect(chain.downgradeResponse(V1, 'POST /items', newest)).toEqual({
      name: 'Kikoy',
      price: 150,
      currency: 'KES',
    });
    expect(chain.downgradeResponse(V2, 'POST /items', newest)).toEqual({
      title: 'Kikoy',
      price: 150,
      currency: 'KES',
    });
    expect(chain.downgradeResponse(V3, 'POST /items', newest)).toBe(newest);
    // A route only one change touches: only that step runs.
    expect(chain.downgradeResponse(V1, 'GET /items/:id', { title: 'a', price: 1, currency: 'KES' })).toEqual({
      name: 'a',
      price: 1,
      currency: 'KES',
    });
    // A route no change touches is left alone.
    expect(chain.steps(V1, 'DELETE /items/:id')).toEqual([]);
  });

  it('writes the OpenAPI document of each version from the `before` schemas', () => {
    const op = () => ({
      requestBody: { content: { 'application/json': { schema: { $comment: 'v3' } } } },
      responses: {
        '201': { content: { 'application/json': { schema: { $comment: 'v3' } } } },
        '422': { content: { 'application/problem+json': { schema: { $comment: 'problem' } } } },
      },
    });
    const doc = {
      info: { title: 'items' },
      paths: { '/items': { post: op() }, '/items/{id}': { get: op() } },
    };
    const at = (v: any) => chain.document(doc, v) as any;
    const schemaOf = (d: any, s: string) => d.paths['/items'].post.responses[s].content;

    expect(
      at(V1).paths['/items'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('name');
    expect(schemaOf(at(V1), '201')['application/json'].schema.properties).toHaveProperty('name');
    expect(schemaOf(at(V2), '201')['application/json'].schema.properties).toHaveProperty('title');
    expect(schemaOf(at(V2), '201')['application/json'].schema.properties.price.type).toBe('integer');
    // Problems and the latest version are untouched; the source document is not modified.
    expect(schemaOf(at(V1), '422')['application/problem+json'].schema).toEqual({ $comment: 'problem' });
    expect(schemaOf(at(V3), '201')['application/json'].schema).toEqual({ $comment: 'v3' });
    expect(doc.paths['/items'].post.responses['201'].content['application/json'].schema).toEqual({
      $comment: 'v3',
    });
    expect(
      at(V1).paths['/items/{id}'].get.responses['201'].content['application/json'].schema.properties,
    ).toHaveProperty('name');
    expect(at(V1).info).toEqual({ title: 'items', 'x-portico-api-version': V1 });
  });

  it('refuses a declaration with an unknown date, two changes on one date, the first date, or a bad route key', () => {
    const c = (date: string, key = 'GET /x'): VersionChange =>
      ({ date, description: '', transforms: { [key]: {} } }) as VersionChange;
    expect(() => checkChanges('s', [c('2026-02-30')], CALENDAR)).toThrow(/not in the calendar/);
    expect(() => checkChanges('s', [c(V2), c(V2)], CALENDAR)).toThrow(/two changes dated/);
    expect(() => checkChanges('s', [c(V1)], CALENDAR)).toThrow(/first version/);
    expect(() => checkChanges('s', [c(V2, 'get /x')], CALENDAR)).toThrow(/METHOD \/path/);
    expect(() => checkChanges('s', [c(V2), c(V3)], CALENDAR)).not.toThrow();
  });

  it('resolves the version a request runs at: a known header, else the pin, else the latest', () => {
    const [old] = API_VERSIONS;
    expect(effectiveVersion(old, LATEST_API_VERSION)).toBe(old);
    expect(effectiveVersion(undefined, old)).toBe(old);
    expect(effectiveVersion(undefined, undefined)).toBe(LATEST_API_VERSION);
    expect(effectiveVersion(undefined, '1999-01-01')).toBe(LATEST_API_VERSION);
  });
});
