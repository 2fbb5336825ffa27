/**
 * GraphQL limits (graphql/limits.ts): depth with fragments, aliases, cost with `first:` from
 * literals, variables and defaults; and the rate limiter counting a cost in one store call.
 */
import { describe, expect, it } from 'vitest';
import { parse, validate } from 'graphql';
import { checkLimits, pickOperation, INTROSPECTION_DEPTH } from '../src/graphql/limits.ts';
import { portico } from '../src/graphql/resolve.ts';
import { compilePolicy, RateLimiter } from '../src/limits/rate-limit.ts';
import { MemoryStore } from '../src/store/memory.ts';
import { GatewayMetrics } from '../src/observe/metrics.ts';

const limits = { maxDepth: 10, maxCost: 1000, maxAliases: 30, maxList: 100 };

function check(query: string, variables: Record<string, unknown> = {}, l = limits) {
  const schema = portico();
  const doc = parse(query);
  expect(validate(schema, doc)).toEqual([]);
  return checkLimits(schema, doc, pickOperation(doc, null)!, variables, l);
}

const codes = (r: ReturnType<typeof check>) => r.errors.map((e) => e.extensions.code);

describe('GraphQL depth', () => {
  it('counts the longest chain, through named and inline fragments', () => {
    const r = check(`
      query { viewer { orders { ...O } } }
      fragment O on Order { shipment { ... on Shipment { tracking { history { status } } } } }
    `);
    expect(r.measured.depth).toBe(6);
    expect(r.errors).toEqual([]);
  });

  it('refuses a query 15 levels deep with query_too_deep', () => {
    let deep = 'id';
    for (let i = 0; i < 6; i++) deep = `shipment { order { ${deep} } }`;
    const r = check(`{ viewer { orders(first: 1) { ${deep} } } }`);
    expect(r.measured.depth).toBe(15);
    expect(codes(r)).toEqual(['query_too_deep']);
    expect(r.errors[0]!.extensions).toMatchObject({ depth: 15, max_depth: 10 });
  });

  it("lets GraphiQL's introspection through but not a deeper one", () => {
    const typeRef = (n: number): string => (n === 0 ? 'name' : `kind name ofType { ${typeRef(n - 1)} }`);
    expect(check(`{ __schema { types { fields { type { ${typeRef(7)} } } } } }`).errors).toEqual([]);
    let deep = 'name';
    for (let i = 0; i < INTROSPECTION_DEPTH; i++) deep = `ofType { ${deep} }`;
    expect(codes(check(`{ __type(name: "Order") { ${deep} } }`))).toEqual(['query_too_deep']);
  });
});

describe('GraphQL aliases', () => {
  it('counts aliases in fragments too, and refuses past the limit', () => {
    expect(
      check('{ a: viewer { b: id } ...F } fragment F on Query { c: viewer { id } }').measured.aliases,
    ).toBe(3);
    const many = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    expect(codes(check(many))).toEqual(['too_many_aliases']);
  });
});

describe('GraphQL cost', () => {
  it('charges 1 per loading field and multiplies a list by first', () => {
    // viewer 1 + orders 1 + 20 × (shipment 1 + tracking 1); items and scalars are in the body.
    const q = '{ viewer { orders(first: 20) { id items { sku } shipment { tracking { status } } } } }';
    expect(check(q).measured.cost).toBe(42);
  });

  it('reads first from a variable, else the default (20), capped at max_list', () => {
    const q = 'query($n: Int) { viewer { orders(first: $n) { shipment { id } } } }';
    expect(check(q, { n: 5 }).measured.cost).toBe(1 + 1 + 5);
    expect(check('{ viewer { orders { shipment { id } } } }').measured.cost).toBe(1 + 1 + 20);
    expect(check('{ viewer { orders(first: 1000) { shipment { id } } } }').measured.cost).toBe(1 + 1 + 100);
  });

  it('refuses a query over max_cost with its cost', () => {
    const wide = (a: string) => `${a}: orders(first: 100) { shipment { order { shipment { id } } } }`;
    const r = check(`{ viewer { ${['a', 'b', 'c', 'd'].map(wide).join(' ')} } }`);
    expect(r.measured.cost).toBe(1205);
    expect(codes(r)).toEqual(['query_too_costly']);
    expect(r.errors[0]!.extensions).toMatchObject({ cost: 1205, max_cost: 1000 });
  });
});

describe('rate limits counted by cost', () => {
  it('moves the window by the cost, and refuses the query that would pass the limit', () => {
    const policy = compilePolicy('per-caller', 100, 60_000, ['caller'], 'open', new GatewayMetrics().limiter);
    const limiter = new RateLimiter(new MemoryStore());
    const subject = { ip: '127.0.0.1', scope: 'u:1', userId: '1', apiKeyId: null, route: 'graphql' };
    const d1 = limiter.check([policy], policy.policyItem, subject, 42);
    expect(d1).toMatchObject({ kind: 'allowed' });
    expect(Object.fromEntries((d1 as { headers: [string, string][] }).headers)['x-ratelimit-remaining']).toBe(
      '58',
    );
    expect(limiter.check([policy], policy.policyItem, subject, 58)).toMatchObject({ kind: 'allowed' });
    expect(limiter.check([policy], policy.policyItem, subject, 1)).toMatchObject({ kind: 'limited' });
  });
});
