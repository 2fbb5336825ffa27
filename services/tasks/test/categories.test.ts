import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import tasksService from '../src/service.ts';
import { asAdmin, asUser, expectOk, expectProblem, newUserId } from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`categories (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([tasksService]);
  });
  afterAll(() => env?.stop());

  it('creates a category with 201, a Location header and the caller as owner', async () => {
    const me = newUserId();
    const res = await asUser(env, me).post('/api/v1/categories', { name: 'Work', color: '#3366FF' });
    const body = expectOk(res, 201);
    expect(res.headers.get('location')).toBe(`/api/v1/categories/${body.id}`);
    expect(body).toMatchObject({ owner_id: me, name: 'Work', color: '#3366FF' });
    expect(new Date(body.created_at).toISOString()).toBe(body.created_at);
    expect(expectOk(await asUser(env, me).get(body.links.self))).toEqual(body);
  });

  it('answers 409 naming the field to a second category with the same name, ignoring case', async () => {
    const me = asUser(env, newUserId());
    expectOk(await me.post('/api/v1/categories', { name: 'Home', color: '#00AA00' }), 201);
    expectProblem(
      await me.post('/api/v1/categories', { name: 'home', color: '#112233' }),
      409,
      'already_exists',
      'name',
    );
    expectProblem(
      await me.post('/api/v1/categories', { name: ' Home ', color: '#112233' }),
      409,
      'already_exists',
      'name',
    );
  });

  it('lets two users each have a category with the same name', async () => {
    expectOk(
      await asUser(env, newUserId()).post('/api/v1/categories', { name: 'Errands', color: '#000000' }),
      201,
    );
    expectOk(
      await asUser(env, newUserId()).post('/api/v1/categories', { name: 'Errands', color: '#FFFFFF' }),
      201,
    );
  });

  it('answers 422 naming color to a colour that is not #RRGGBB', async () => {
    const me = asUser(env, newUserId());
    for (const color of ['red', '#FFF', '#12345G', '123456', '#1234567']) {
      expectProblem(
        await me.post('/api/v1/categories', { name: `c ${color}`, color }),
        422,
        'validation_failed',
        'color',
      );
    }
  });

  it('answers 422 to a missing or blank name and to unknown fields', async () => {
    const me = asUser(env, newUserId());
    expectProblem(
      await me.post('/api/v1/categories', { color: '#000000' }),
      422,
      'validation_failed',
      'name',
    );
    expectProblem(
      await me.post('/api/v1/categories', { name: '   ', color: '#000000' }),
      422,
      'validation_failed',
      'name',
    );
    expectProblem(
      await me.post('/api/v1/categories', { name: 'x', color: '#000000', owner_id: 'someone' }),
      422,
      'validation_failed',
      'owner_id',
    );
  });

  it('lists only the caller’s own categories, by name, across pages', async () => {
    const id = newUserId();
    const me = asUser(env, id);
    for (const name of ['delta', 'Alpha', 'charlie', 'bravo', 'echo']) {
      expectOk(await me.post('/api/v1/categories', { name, color: '#101010' }), 201);
    }
    expectOk(
      await asUser(env, newUserId()).post('/api/v1/categories', { name: 'not mine', color: '#101010' }),
      201,
    );
    const seen: string[] = [];
    let url = '/api/v1/categories?limit=2';
    for (;;) {
      const page = expectOk(await me.get(url));
      seen.push(
        ...page.data.map((c: { name: string; owner_id: string }) => (expect(c.owner_id).toBe(id), c.name)),
      );
      if (!page.next_cursor) break;
      url = `/api/v1/categories?limit=2&cursor=${page.next_cursor}`;
    }
    expect(seen.map((s) => s.toLowerCase())).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
  });

  it('hides another user’s category: 404 for read, update and delete, empty for owner_id', async () => {
    const ownerId = newUserId();
    const cat = expectOk(
      await asUser(env, ownerId).post('/api/v1/categories', { name: 'Private', color: '#ABCDEF' }),
      201,
    );
    const other = asUser(env, newUserId());
    expectProblem(await other.get(`/api/v1/categories/${cat.id}`), 404, 'not_found');
    expectProblem(await other.patch(`/api/v1/categories/${cat.id}`, { name: 'Mine now' }), 404, 'not_found');
    expectProblem(await other.delete(`/api/v1/categories/${cat.id}`), 404, 'not_found');
    expect(expectOk(await other.get(`/api/v1/categories?owner_id=${ownerId}`)).data).toEqual([]);
    expect(expectOk(await asUser(env, ownerId).get(`/api/v1/categories/${cat.id}`)).name).toBe('Private');
  });

  it('lets an admin read another user’s categories', async () => {
    const ownerId = newUserId();
    const cat = expectOk(
      await asUser(env, ownerId).post('/api/v1/categories', { name: 'Seen', color: '#ABCDEF' }),
      201,
    );
    expect(expectOk(await asAdmin(env).get(`/api/v1/categories/${cat.id}`)).id).toBe(cat.id);
    expect(
      expectOk(await asAdmin(env).get(`/api/v1/categories?owner_id=${ownerId}`)).data.map(
        (c: { id: string }) => c.id,
      ),
    ).toEqual([cat.id]);
  });

  it('renames and recolours a category, still refusing a duplicate name', async () => {
    const me = asUser(env, newUserId());
    const a = expectOk(await me.post('/api/v1/categories', { name: 'A', color: '#000000' }), 201);
    expectOk(await me.post('/api/v1/categories', { name: 'B', color: '#000000' }), 201);
    const renamed = expectOk(await me.patch(`/api/v1/categories/${a.id}`, { name: 'A2', color: '#FFFFFF' }));
    expect(renamed).toMatchObject({ id: a.id, name: 'A2', color: '#FFFFFF' });
    expectProblem(await me.patch(`/api/v1/categories/${a.id}`, { name: 'b' }), 409, 'already_exists', 'name');
    expectProblem(
      await me.patch(`/api/v1/categories/${a.id}`, { color: 'blue' }),
      422,
      'validation_failed',
      'color',
    );
    expectProblem(await me.patch(`/api/v1/categories/${a.id}`, {}), 422, 'validation_failed');
  });

  it('deletes a category with 204; its tasks keep going without a category', async () => {
    const me = asUser(env, newUserId());
    const cat = expectOk(await me.post('/api/v1/categories', { name: 'Gone', color: '#000000' }), 201);
    const task = expectOk(await me.post('/api/v1/tasks', { title: 'filed', category_id: cat.id }), 201);
    expect(task.category_id).toBe(cat.id);
    const del = await me.delete(`/api/v1/categories/${cat.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    expectProblem(await me.get(`/api/v1/categories/${cat.id}`), 404, 'not_found');
    expect(expectOk(await me.get(`/api/v1/tasks/${task.id}`)).category_id).toBeNull();
  });
});
