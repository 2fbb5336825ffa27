import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestServices,
} from '../src/testing/index.ts';
import { countsService, notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`service-to-service calls (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([countsService, notesService]);
  });
  afterAll(() => env?.stop());

  it('reach the other service with a passport for it, carrying the caller', async () => {
    await env.as('notes', userCaller('s2s')).post('/api/v1/notes', { body: 'x' });
    const res = await env.eventually(async () => {
      const r = await env.as('notes', userCaller('s2s')).get('/api/v1/owners/s2s/count');
      return r.body.n === 1 ? r : null;
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ owner_id: 's2s', n: 1 });
  });

  it('answer 502/503 problem+json without internals when the other service is down', async () => {
    await env.services.get('counts')!.stop();
    const res = await env.as('notes', userCaller('s2s')).get('/api/v1/owners/s2s/count');
    expect([502, 503]).toContain(res.status);
    expect(res.body.code).toMatch(/bad_gateway|service_unavailable/);
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|localhost/);
  });
});
