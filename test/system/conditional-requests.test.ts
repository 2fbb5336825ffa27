/**
 * Conditional requests through the gateway (RFC 9110 §13; docs/api-conventions.md): strong ETags
 * from row versions, 304 on a current If-None-Match, 412 for a stale If-Match, 428 where a
 * route requires one, weak ETags on lists, and the headers and statuses in /openapi.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifMatchOf } from '@portico/kit/testing';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';

const skip = await systemUnavailable();

describe.skipIf(skip)(`conditional requests through the gateway (${systemMode})`, () => {
  let sys: System;
  let alice: Session;
  let eve: Session;
  let staff: Session;
  beforeAll(async () => {
    sys = await startSystem({ services: ['identity', 'tasks', 'orders'] });
    [alice, eve, staff] = await Promise.all([sys.signUp(), sys.signUp(), sys.signUp()]);
    staff = await sys.grantRoles(staff, ['staff']);
  }, 180_000);
  afterAll(() => sys?.stop());

  const newTask = async (title: string) => {
    const res = await alice.client.post('/api/v1/tasks', { title });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('lets one of two clients holding the same ETag change a task: the other gets 412', async () => {
    const url = `/api/v1/tasks/${await newTask('Shared')}`;
    const [first, second] = [await alice.client.get(url), await alice.client.get(url)];
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"v\d+"$/);
    expect(second.headers.get('etag')).toBe(etag);

    const won = await alice.client.patch(url, { title: 'First writer' }, { 'if-match': etag! });
    expect(won.status).toBe(200);
    expect(won.body.title).toBe('First writer');
    const newEtag = won.headers.get('etag');
    expect(newEtag).toMatch(/^"v\d+"$/);
    expect(newEtag).not.toBe(etag);

    const lost = await alice.client.patch(url, { title: 'Second writer' }, { 'if-match': etag! });
    expect(lost.status).toBe(412);
    expect(lost.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(lost.body.code).toBe('precondition_failed');
    // The second write did not happen.
    expect((await alice.client.get(url)).body.title).toBe('First writer');
    // The ETag the winner got is the current one.
    expect((await alice.client.get(url)).headers.get('etag')).toBe(newEtag);
  });

  it('gives one winner when both PATCHes race with the same ETag', async () => {
    const url = `/api/v1/tasks/${await newTask('Race')}`;
    const { 'if-match': etag } = await ifMatchOf(alice.client, url);
    const answers = await Promise.all(
      ['a', 'b'].map((t) => alice.client.patch(url, { title: t }, { 'if-match': etag! })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
  });

  it('answers 304 without a body to a GET with the current ETag, and 200 once it changed', async () => {
    const url = `/api/v1/tasks/${await newTask('Cached')}`;
    const etag = (await alice.client.get(url)).headers.get('etag')!;
    const same = await alice.client.get(url, { 'if-none-match': etag });
    expect(same.status).toBe(304);
    expect(same.body).toBeNull();
    expect(same.headers.get('etag')).toBe(etag);
    expect(same.headers.get('content-type')).toBeNull();

    await alice.client.post(`${url}/start`, undefined, { 'if-match': etag });
    const changed = await alice.client.get(url, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe('in_progress');
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('refuses a state action with a stale If-Match (412) and applies it with the current one', async () => {
    const url = `/api/v1/tasks/${await newTask('Action')}`;
    const stale = (await alice.client.get(url)).headers.get('etag')!;
    expect((await alice.client.patch(url, { title: 'Renamed' })).status).toBe(200);
    const refused = await alice.client.post(`${url}/start`, undefined, { 'if-match': stale });
    expect(refused.status).toBe(412);
    expect((await alice.client.get(url)).body.status).toBe('pending');
    const started = await alice.client.post(`${url}/start`, undefined, await ifMatchOf(alice.client, url));
    expect(started.status).toBe(200);
    expect((await alice.client.delete(url, { 'if-match': stale })).status).toBe(412);
    expect((await alice.client.delete(url, await ifMatchOf(alice.client, url))).status).toBe(204);
  });

  it("answers 404, not 304 or 412, for another user's task whatever its ETag", async () => {
    const url = `/api/v1/tasks/${await newTask('Not yours')}`;
    const etag = (await alice.client.get(url)).headers.get('etag')!;
    expect((await eve.client.get(url, { 'if-none-match': etag })).status).toBe(404);
    expect((await eve.client.patch(url, { title: 'x' }, { 'if-match': '"v999"' })).status).toBe(404);
  });

  it('requires If-Match to change a product (428) and honours it', async () => {
    const created = await staff.client.post('/api/v1/products', {
      sku: `SKU-${Date.now().toString(36)}`,
      name: 'Kikoi',
      price: { amount: 120000, currency: 'KES' },
    });
    expect(created.status).toBe(201);
    const url = `/api/v1/products/${created.body.id}`;
    const missing = await staff.client.patch(url, { name: 'Kikoi (blue)' });
    expect(missing.status).toBe(428);
    expect(missing.body.code).toBe('precondition_required');
    expect((await staff.client.get(url)).body.name).toBe('Kikoi');

    const etag = await ifMatchOf(staff.client, url);
    expect((await staff.client.patch(url, { name: 'Kikoi (blue)' }, etag)).status).toBe(200);
    expect((await staff.client.patch(url, { name: 'Kikoi (red)' }, etag)).status).toBe(412);
    // Stock is set through its product: without If-Match 428, with a stale one 412.
    await staff.client.post('/api/v1/warehouses', {
      code: 'NBO',
      name: 'Nairobi DC',
      latitude: -1.29,
      longitude: 36.82,
    });
    expect((await staff.client.put(`${url}/stock/NBO`, { quantity: 5 })).status).toBe(428);
    expect((await staff.client.put(`${url}/stock/NBO`, { quantity: 5 }, etag)).status).toBe(412);
    const fresh = await ifMatchOf(staff.client, url);
    expect((await staff.client.put(`${url}/stock/NBO`, { quantity: 5 }, fresh)).status).toBe(200);
    // Setting the stock changed the product's version.
    expect((await staff.client.put(`${url}/stock/NBO`, { quantity: 6 }, fresh)).status).toBe(412);
  });

  it('gives lists a weak ETag and answers 304 while the page is the same', async () => {
    await newTask('Listed');
    const list = await alice.client.get('/api/v1/tasks?limit=5');
    const etag = list.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"/);
    expect((await alice.client.get('/api/v1/tasks?limit=5', { 'if-none-match': etag })).status).toBe(304);
    await newTask('Listed later');
    expect((await alice.client.get('/api/v1/tasks?limit=5', { 'if-none-match': etag })).status).toBe(200);
  });

  it('names the API version in the ETag of an older representation, and checks writes by the row version', async () => {
    const OLD = '2026-01-01';
    const old = { 'portico-version': OLD };
    const url = `/api/v1/tasks/${await newTask('Two shapes')}`;
    const latest = (await alice.client.get(url)).headers.get('etag')!;
    const first = await alice.client.get(url, old);
    expect(first.headers.get('portico-version')).toBe(OLD);
    const olderTag = first.headers.get('etag')!;
    expect(olderTag).toBe(latest.replace(/"$/, `.${OLD}"`));

    // Each representation revalidates against its own tag only.
    expect((await alice.client.get(url, { ...old, 'if-none-match': olderTag })).status).toBe(304);
    const other = await alice.client.get(url, { ...old, 'if-none-match': latest });
    expect(other.status).toBe(200);
    expect(other.body.title).toBe('Two shapes');
    expect((await alice.client.get(url, { 'if-none-match': olderTag })).status).toBe(200);

    // A write is checked against the row version, whichever representation the tag came from.
    const won = await alice.client.patch(url, { title: 'Renamed' }, { ...old, 'if-match': olderTag });
    expect(won.status).toBe(200);
    expect(won.headers.get('etag')).toMatch(new RegExp(`^"v\\d+\\.${OLD}"$`));
    const stale = await alice.client.patch(url, { title: 'Stale' }, { 'if-match': latest });
    expect(stale.status).toBe(412);

    // Lists: the weak tags of the two representations differ too.
    const listLatest = (await alice.client.get('/api/v1/tasks?limit=5')).headers.get('etag');
    const listOld = (await alice.client.get('/api/v1/tasks?limit=5', old)).headers.get('etag');
    expect(listOld).toMatch(/^W\/"/);
    expect(listOld).not.toBe(listLatest);
  });

  it('declares ETag, If-None-Match, If-Match, 304, 412 and 428 in /openapi.json', async () => {
    const doc = (await sys.anonymous.get('/openapi.json')).body;
    const task = doc.paths['/api/v1/tasks/{id}'];
    const headerNames = (op: { parameters?: { in: string; name: string; required?: boolean }[] }) =>
      (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headerNames(task.get)).toContain('If-None-Match');
    expect(task.get.responses['200'].headers.ETag).toBeDefined();
    expect(task.get.responses['304']).toBeDefined();
    expect(headerNames(task.patch)).toContain('If-Match');
    expect(task.patch.responses['412']).toBeDefined();
    expect(task.patch.responses['428']).toBeUndefined();
    const product = doc.paths['/api/v1/products/{id}'].patch;
    expect(product.parameters.find((p: { name: string }) => p.name === 'If-Match').required).toBe(true);
    expect(product.responses['428']).toBeDefined();
  });
});
