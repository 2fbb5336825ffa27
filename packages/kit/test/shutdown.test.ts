import { describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, userCaller } from '../src/testing/index.ts';
import { notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`graceful shutdown (${matrixLabel})`, () => {
  it('finishes in-flight requests, then refuses new connections', async () => {
    const env = await startTestServices([notesService]);
    try {
      const notes = env.services.get('notes')!;
      const client = env.as('notes', userCaller('shut'));
      const created = await client.post('/api/v1/notes', { body: 'before shutdown' });
      expect(created.status).toBe(201);
      const inFlight = client.get('/api/v1/slow?ms=400');
      await new Promise((r) => setTimeout(r, 100));
      const stopping = notes.stop();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ slept: 400 });
      await stopping;
      await expect(fetch(`${notes.url}/health/live`)).rejects.toThrow();
    } finally {
      await env.stop();
    }
  });
});
