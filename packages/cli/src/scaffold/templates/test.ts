/** `test/<plural>.test.ts`: the service test, over HTTP with a real passport, on the test matrix. */
import type { Names } from '../names.ts';

export function serviceTestTs(n: Names): string {
  const base = `/api/v1/${n.plural}`;
  const S = n.Singular;
  return `/**
 * ${n.PluralWords} as their users see them: status, body, headers and the events published.
 * Runs on the storage × bus matrix (PORTICO_TEST_DB=pglite|postgres, PORTICO_TEST_BUS=memory|nats).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@portico/kit';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestResponse,
  type TestServices,
} from '@portico/kit/testing';
import service from '../src/service.ts';
import type { ${S}Created } from '../src/events.ts';

const skip = await matrixUnavailable();

/** A fresh user id, so tests never see each other's ${n.pluralWords}. */
const newUserId = () => \`u-\${randomBytes(4).toString('hex')}\`;

function expectProblem(res: TestResponse, status: number, code: string, field?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\\/problem\\+json/);
  expect(res.body.code).toBe(code);
  if (field !== undefined)
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
}

describe.skipIf(skip)(\`${n.pluralWords} (\${matrixLabel})\`, () => {
  let env: TestServices;
  const as = (userId: string) => env.as('${n.service}', userCaller(userId));

  beforeAll(async () => {
    env = await startTestServices([service]);
  });
  afterAll(() => env?.stop());

  it('creates a ${n.singularWords} with 201, a Location header and the caller as owner', async () => {
    const me = newUserId();
    const res = await as(me).post('${base}', { title: '  First   one ' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('location')).toBe(\`${base}/\${res.body.id}\`);
    expect(res.body).toMatchObject({ owner_id: me, title: 'First one' });
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
    const read = await as(me).get(res.body.links.self);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('answers 422 naming the field to a blank title, a missing one and an unknown field', async () => {
    const me = as(newUserId());
    expectProblem(await me.post('${base}', { title: '   ' }), 422, 'validation_failed', 'title');
    expectProblem(await me.post('${base}', {}), 422, 'validation_failed', 'title');
    expectProblem(
      await me.post('${base}', { title: 'x', owner_id: 'someone-else' }),
      422,
      'validation_failed',
      'owner_id',
    );
  });

  it('answers 404 to another user’s ${n.singularWords}, as to an id that does not exist', async () => {
    const mine = await as(newUserId()).post('${base}', { title: 'private' });
    expect(mine.status).toBe(201);
    expectProblem(await as(newUserId()).get(\`${base}/\${mine.body.id}\`), 404, 'not_found');
    expectProblem(await as(newUserId()).get('${base}/no-such-id'), 404, 'not_found');
  });

  it('lists only the caller’s own ${n.pluralWords}, newest first, across pages', async () => {
    const me = as(newUserId());
    const created: string[] = [];
    for (const title of ['one', 'two', 'three']) {
      const res = await me.post('${base}', { title });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    expect((await as(newUserId()).post('${base}', { title: 'not mine' })).status).toBe(201);

    const first = await me.get('${base}?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.has_more).toBe(true);
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await me.get(\`${base}?limit=2&cursor=\${encodeURIComponent(first.body.next_cursor)}\`);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ has_more: false, next_cursor: null });
    const ids = [...first.body.data, ...second.body.data].map((x: { id: string }) => x.id);
    expect(ids).toEqual([...created].reverse());
  });

  it('publishes ${n.entity}.created with the new ${n.singularWords} once it is committed', async () => {
    const events: EventEnvelope<${S}Created>[] = [];
    const sub = await env.bus.subscribe(
      { consumer: \`${n.service}-test-\${randomBytes(3).toString('hex')}\`, types: ['${n.entity}.created'] },
      async (event) => {
        events.push(event as EventEnvelope<${S}Created>);
      },
    );
    try {
      const me = newUserId();
      const res = await as(me).post('${base}', { title: 'announced' });
      expect(res.status).toBe(201);
      const event = await env.eventually(async () => events.find((e) => e.subject === res.body.id));
      expect(event.source).toBe('${n.service}');
      expect(event.data).toEqual({ ${n.entity}_id: res.body.id, owner_id: me, title: 'announced' });
    } finally {
      await sub.stop();
    }
  });

  it('answers 401 to a caller who is not signed in', async () => {
    const res = await env.as('${n.service}', null).get('${base}');
    expectProblem(res, 401, 'unauthenticated');
  });
});
`;
}
