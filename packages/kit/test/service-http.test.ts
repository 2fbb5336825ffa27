import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivePassportKey, mintPassport } from '../src/runtime/index.ts';
import {
  httpClient,
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '../src/testing/index.ts';
import { countsService, notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`a kit service over HTTP (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([notesService, countsService]);
  });
  afterAll(() => env?.stop());

  const expectProblem = (
    res: { status: number; headers: Headers; body: any },
    status: number,
    code: string,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe(code);
    expect(res.body.status).toBe(status);
    expect(res.body.request_id).toEqual(expect.any(String));
    expect(res.headers.get('x-request-id')).toBe(res.body.request_id);
  };

  it('creates a resource with 201 and a Location header', async () => {
    const res = await env.as('notes', userCaller('alice')).post('/api/v1/notes', { body: 'hello' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/v1/notes/${res.body.id}`);
    expect(res.body).toMatchObject({ owner_id: 'alice', body: 'hello' });
  });

  it('answers 401 problem+json to a request without a passport', async () => {
    const res = await httpClient(env.services.get('notes')!.url).get('/api/v1/notes');
    expectProblem(res, 401, 'unauthenticated');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('ignores a forged x-user-id header', async () => {
    const res = await httpClient(env.services.get('notes')!.url).post(
      '/api/v1/notes',
      { body: 'x' },
      { 'x-user-id': 'alice', 'request-user-id': 'alice' },
    );
    expectProblem(res, 401, 'unauthenticated');
  });

  it('refuses an expired passport and one signed with another key', async () => {
    const url = env.services.get('notes')!.url;
    const caller = userCaller('alice');
    const expired = mintPassport(derivePassportKey(env.secret, 'notes'), 'notes', caller, {
      now: Date.now() - 10 * 60_000,
    }).token;
    expectProblem(
      await httpClient(url, () => ({ 'x-portico-passport': expired })).get('/api/v1/notes'),
      401,
      'unauthenticated',
    );
    const wrongKey = mintPassport(derivePassportKey('another-secret', 'notes'), 'notes', caller).token;
    expectProblem(
      await httpClient(url, () => ({ 'x-portico-passport': wrongKey })).get('/api/v1/notes'),
      401,
      'unauthenticated',
    );
    const otherService = mintPassport(derivePassportKey(env.secret, 'counts'), 'counts', caller).token;
    expectProblem(
      await httpClient(url, () => ({ 'x-portico-passport': otherService })).get('/api/v1/notes'),
      401,
      'unauthenticated',
    );
  });

  it('answers 400 to unparseable JSON', async () => {
    expectProblem(
      await env.as('notes', userCaller('a')).post('/api/v1/notes', '{"body":'),
      400,
      'malformed_request',
    );
  });

  it('answers 422 naming the field for a schema violation and for an unknown field', async () => {
    const client = env.as('notes', userCaller('a'));
    const wrongType = await client.post('/api/v1/notes', { body: 42 });
    expectProblem(wrongType, 422, 'validation_failed');
    expect(wrongType.body.errors).toEqual([expect.objectContaining({ field: 'body' })]);
    const unknown = await client.post('/api/v1/notes', { body: 'ok', roles: ['admin'] });
    expectProblem(unknown, 422, 'validation_failed');
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'roles', code: 'unknown_field' })]);
    const missing = await client.post('/api/v1/notes', {});
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'body', code: 'required' })]);
  });

  it('answers 413 to an oversize body and 415 to a non-JSON body', async () => {
    const client = env.as('notes', userCaller('a'));
    expectProblem(
      await client.post('/api/v1/notes', JSON.stringify({ body: 'x'.repeat(1024 * 1024 + 10) })),
      413,
      'payload_too_large',
    );
    expectProblem(
      await client.post('/api/v1/notes', 'body=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported_media_type',
    );
    expectProblem(
      await client.post('/api/v1/notes', 'hello', { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    );
  });

  it('answers 422 naming the field to a NUL character in the body, the query or the path', async () => {
    const client = env.as('notes', userCaller('a'));
    const inBody = await client.post('/api/v1/notes', '{"body":"a\\u0000b"}');
    expectProblem(inBody, 422, 'validation_failed');
    expect(inBody.body.errors).toEqual([
      { field: 'body', code: 'invalid_character', message: 'must not contain the NUL character (U+0000)' },
    ]);
    const inQuery = await client.get('/api/v1/notes?cursor=%00');
    expectProblem(inQuery, 422, 'validation_failed');
    expect(inQuery.body.errors[0].field).toBe('cursor');
    const inPath = await client.get('/api/v1/notes/x%00y');
    expectProblem(inPath, 422, 'validation_failed');
    expect(inPath.body.errors[0].field).toBe('id');
    // Nothing was stored by the refused body.
    const list = await client.get('/api/v1/notes?limit=100');
    expect(JSON.stringify(list.body)).not.toContain('\\u0000');
  });

  it('answers 431 problem+json when the headers pass 16 KB (refused by the HTTP parser)', async () => {
    const res = await fetch(`${env.services.get('notes')!.url}/api/v1/notes`, {
      headers: { 'x-padding': 'x'.repeat(20_000) },
    });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 431, code: 'request_headers_too_large' });
  });

  it('answers 400 problem+json to a path with a bad percent-encoding', async () => {
    const client = env.as('notes', userCaller('a'));
    for (const path of ['/api/v1/notes/%ZZ', '/api/v1/notes/%C0%AF']) {
      const res = await client.get(path);
      expectProblem(res, 400, 'malformed_request');
      expect(JSON.stringify(res.body)).not.toMatch(/FST_|fastify/i);
    }
  });

  it('answers 404 to an unknown route and 405 with Allow to a wrong method', async () => {
    const client = env.as('notes', userCaller('a'));
    expectProblem(await client.get('/api/v1/nothing-here'), 404, 'not_found');
    const res = await client.delete('/api/v1/notes');
    expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toContain('GET');
    expect(res.headers.get('allow')).toContain('POST');
  });

  it("answers 404 for another user's resource", async () => {
    const owner = { ...userCaller('owner-1'), permissions: ['notes:*:own'] };
    const intruder = { ...userCaller('intruder'), permissions: ['notes:*:own'] };
    const created = await env.as('notes', owner).post('/api/v1/notes', { body: 'mine' });
    const res = await env.as('notes', intruder).get(`/api/v1/notes/${created.body.id}`);
    expectProblem(res, 404, 'not_found');
    expect((await env.as('notes', owner).get(`/api/v1/notes/${created.body.id}`)).status).toBe(200);
  });

  it('keeps and echoes a well-formed request id and continues the trace', async () => {
    const res = await fetch(`${env.services.get('notes')!.url}/health/live`, {
      headers: {
        'x-request-id': 'req-1234567890',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    expect(res.headers.get('x-request-id')).toBe('req-1234567890');
    const bad = await fetch(`${env.services.get('notes')!.url}/health/live`, {
      headers: { 'x-request-id': 'no spaces allowed!' },
    });
    expect(bad.headers.get('x-request-id')).not.toBe('no spaces allowed!');
  });

  it('serves its OpenAPI 3.1 document without a passport', async () => {
    const res = await httpClient(env.services.get('notes')!.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/notes', '/api/v1/notes/{id}']),
    );
  });

  it('reports ready when the database and the bus are up', async () => {
    const res = await httpClient(env.services.get('notes')!.url).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: 'ok', bus: 'ok' });
  });

  it('exposes Prometheus metrics by route template', async () => {
    await env.as('notes', userCaller('m')).get('/api/v1/notes');
    const res = await httpClient(env.services.get('notes')!.url).get('/metrics');
    expect(res.body).toContain('portico_http_request_duration_seconds_bucket{');
    expect(res.body).toContain('route="/api/v1/notes"');
    expect(res.body).toContain('portico_outbox_backlog');
  });
});
