/**
 * Generated input on every documented operation: fast-check arbitraries built from each
 * operation's request schema in the gateway's /openapi.json (body, path and query parameters),
 * sent through the gateway as an admin (so permissions do not stop requests early). Every answer
 * must be below 500 and, when it is a refusal, a problem+json (or the format the operation
 * declares for that status: the OpenID provider's endpoints answer RFC 6749 errors). `PORTICO_SECURITY_FUZZ_RUNS`
 * (default 10,000) is the total number of generated requests, spread over the operations.
 * Every status must be declared for its operation in the document (the gateway declares the
 * conventional refusals; docs/security.md).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from '../system/harness.ts';
import { ALL_SERVICES, operations, type OpenApiDoc } from './platform.ts';
import { paramArbitrary, schemaArbitrary } from './arbitraries.ts';

const skip = await systemUnavailable();
const TOTAL = Number(process.env.PORTICO_SECURITY_FUZZ_RUNS ?? 10_000);
/** Routes that end the admin's session or stream forever; covered by their own tests. */
const SKIP = /^\/api\/v1\/auth\/|\/stream$|\/ops\/events$|\/signing-keys\/rotate$/;
const LEAK = /\bat .+\.ts:\d+|node_modules|\bselect\b.+\bfrom\b|\binsert into\b|syntax error|ECONN/i;

describe.skipIf(skip)(`generated input on every operation (${systemMode})`, () => {
  let sys: System;
  let admin: Session;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    sys = await startSystem({ services: ALL_SERVICES });
    admin = await sys.admin();
    doc = (await sys.anonymous.get('/openapi.json')).body as OpenApiDoc;
  }, 180_000);
  afterAll(() => sys?.stop());

  it(`answers ${TOTAL} generated requests without a 5xx`, async () => {
    const ops = operations(doc).filter(({ template }) => !SKIP.test(template));
    const runs = Math.max(1, Math.ceil(TOTAL / ops.length));
    let sent = 0;
    const undeclared = new Map<string, number>();
    const t0 = Date.now();
    for (const { method, template, op } of ops) {
      const params = op.parameters ?? [];
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      const request = fc.record({
        path: fc.tuple(...pathParams.map((p) => paramArbitrary(doc, p.schema))),
        query: fc.tuple(
          ...queryParams.map((p) => fc.option(paramArbitrary(doc, p.schema), { nil: undefined })),
        ),
        body: bodySchema ? schemaArbitrary(doc, bodySchema) : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          let path = template;
          pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, (r.path as string[])[i]!)));
          const q = queryParams
            .map((p, i) =>
              (r.query as (string | undefined)[])[i] === undefined
                ? null
                : `${p.name}=${(r.query as string[])[i]}`,
            )
            .filter((x) => x !== null);
          if (q.length) path += `?${q.join('&')}`;
          const res = await admin.client.request(method.toUpperCase(), path, r.body);
          sent++;
          const what = `${method.toUpperCase()} ${path.slice(0, 150)} ${JSON.stringify(r.body)?.slice(0, 200)}`;
          expect(
            res.status,
            `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`,
          ).toBeLessThan(500);
          expect(JSON.stringify(res.body ?? ''), `${what} leaks`).not.toMatch(LEAK);
          if (res.status >= 400) {
            // problem+json, unless the operation declares another format for this status (the
            // OpenID provider's endpoints answer RFC 6749 errors).
            const declared = (op.responses?.[String(res.status)] as { content?: object } | undefined)
              ?.content;
            const types = declared ? Object.keys(declared) : ['application/problem+json'];
            const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
            expect(types, `${what} → ${res.status} ${type}`).toContain(type);
          }
          if (op.responses && !(String(res.status) in op.responses) && !('default' in op.responses)) {
            const k = `${method.toUpperCase()} ${template} ${res.status} (e.g. ${path.slice(0, 200)})`;
            undeclared.set(k, (undeclared.get(k) ?? 0) + 1);
          }
        }),
        { numRuns: runs, endOnFailure: true },
      );
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(
      `generated: ${sent} requests over ${ops.length} operations in ${seconds.toFixed(1)} s; ` +
        `${undeclared.size} (operation, status) pairs not declared in the document`,
    );
    expect([...undeclared].map(([k, n]) => `${k} ×${n}`)).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(TOTAL * 0.9);
  }, 1_800_000);
});
