/**
 * Paging both ways (RFC 8288 `Link`: first, prev, next; `starting_after` / `ending_before`),
 * through a route that calls paginate() with only `cursor`: the kit reads both positions into it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  matrixLabel,
  matrixUnavailable,
  startTestServices,
  userCaller,
  type TestClient,
  type TestServices,
} from '../src/testing/index.ts';
import { notesService } from './fixtures/notes-service.ts';

const skip = await matrixUnavailable();

function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)) out[m[2]!] = m[1]!;
  return out;
}

describe.skipIf(skip)(`pagination both ways (${matrixLabel})`, () => {
  let env: TestServices;
  let client: TestClient;
  beforeAll(async () => {
    env = await startTestServices([notesService]);
    await sql`insert into notes (id, owner_id, body)
              select 'n-' || lpad(g::text, 2, '0'), 'pager', 'row ' || g from generate_series(1, 25) g`.execute(
      env.services.get('notes')!.deps.db,
    );
    client = env.as('notes', userCaller('pager'));
  });
  afterAll(() => env?.stop());

  const seqs = (body: { data: { seq: number }[] }) => body.data.map((n) => n.seq);

  it('walks forward by next links and back by prev links over the same pages', async () => {
    const forward: number[][] = [];
    let url: string | undefined = '/api/v1/notes?limit=10';
    let first: Record<string, string> | undefined;
    let lastUrl: string | undefined;
    while (url) {
      lastUrl = url;
      const res = await client.get(url);
      expect(res.status).toBe(200);
      forward.push(seqs(res.body));
      const l = links(res.headers.get('link'));
      first ??= l;
      expect(l.first).toBe('/api/v1/notes?limit=10');
      if (forward.length === 1) {
        expect(l.prev).toBeUndefined();
        expect(res.body.prev_cursor).toBeNull();
      } else expect(l.prev).toContain('ending_before=');
      if (l.next) expect(l.next).toContain('starting_after=');
      expect(res.body.has_more).toBe(l.next !== undefined);
      url = l.next;
    }
    expect(forward.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(forward.flat()).toEqual([...forward.flat()].sort((a, b) => a - b));
    expect(first?.next).toBeDefined();

    // Back from the last page, following prev: the same pages in reverse, each in list order.
    const last = await client.get(lastUrl!);
    let back = links(last.headers.get('link')).prev;
    const backward: number[][] = [seqs(last.body)];
    while (back) {
      const res = await client.get(back);
      expect(res.status).toBe(200);
      backward.unshift(seqs(res.body));
      const l = links(res.headers.get('link'));
      expect(l.next).toBeDefined(); // a page reached going back always has one after it
      back = l.prev;
    }
    expect(backward).toEqual(forward);
  });

  it('reads ending_before and starting_after positions from the body as well', async () => {
    const p1 = (await client.get('/api/v1/notes?limit=5')).body;
    const p2 = (await client.get(`/api/v1/notes?limit=5&starting_after=${p1.next_cursor}`)).body;
    expect(seqs(p2)[0]).toBeGreaterThan(seqs(p1).at(-1)!);
    const again = await client.get(`/api/v1/notes?limit=5&ending_before=${p2.prev_cursor}`);
    expect(seqs(again.body)).toEqual(seqs(p1));
    expect(again.body.prev_cursor).toBeNull();
    // The older parameter still pages forward.
    expect(seqs((await client.get(`/api/v1/notes?limit=5&cursor=${p1.next_cursor}`)).body)).toEqual(seqs(p2));
  });

  it('refuses two positions at once and a position it did not issue (422 naming the field)', async () => {
    const p1 = (await client.get('/api/v1/notes?limit=5')).body;
    const both = await client.get(
      `/api/v1/notes?starting_after=${p1.next_cursor}&ending_before=${p1.next_cursor}`,
    );
    expect(both.status).toBe(422);
    expect(both.body.errors).toEqual([
      expect.objectContaining({ field: 'ending_before', code: 'conflicts' }),
    ]);
    const forged = await client.get('/api/v1/notes?ending_before=not-a-position');
    expect(forged.status).toBe(422);
    expect(forged.body.errors[0].field).toBe('ending_before');
  });
});
