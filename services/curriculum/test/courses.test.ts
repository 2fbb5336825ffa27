import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import curriculum from '../src/service.ts';
import {
  admin,
  as,
  courseBody,
  expectOk,
  expectProblem,
  feedInstructor,
  makeCourse,
  staff,
  uid,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`courses (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([curriculum]);
  });
  afterAll(() => env?.stop());

  it('creates a draft with the framework’s default scale, then publishes and archives it', async () => {
    const created = expectOk(await staff(env).post('/api/v1/courses', courseBody()), 201);
    expect(created).toMatchObject({
      status: 'draft',
      grading_scale: 'letter',
      enrolled: 0,
      seats_available: 25,
    });
    const published = expectOk(await staff(env).post(`/api/v1/courses/${created.id}/publish`));
    expect(published.status).toBe('published');
    expect(published.published_at).not.toBeNull();
    expectProblem(await staff(env).post(`/api/v1/courses/${created.id}/publish`), 409, 'invalid_state');
    expect(expectOk(await staff(env).post(`/api/v1/courses/${created.id}/archive`)).status).toBe('archived');
    expectProblem(await staff(env).post(`/api/v1/courses/${created.id}/archive`), 409, 'invalid_state');
    expectProblem(await staff(env).post(`/api/v1/courses/${created.id}/publish`), 409, 'invalid_state');
  });

  it('archives only a published course', async () => {
    const draft = await makeCourse(env, {}, false);
    expectProblem(await admin(env).post(`/api/v1/courses/${draft.id}/archive`), 409, 'invalid_state');
  });

  it('answers 409 naming code for a duplicate code', async () => {
    const body = courseBody();
    expectOk(await admin(env).post('/api/v1/courses', body), 201);
    expectProblem(
      await admin(env).post('/api/v1/courses', { ...body, title: 'Other' }),
      409,
      'already_exists',
      'code',
    );
  });

  it('refuses to publish a CBC course without a competency (422), and publishes it with one', async () => {
    const cbc = expectOk(await admin(env).post('/api/v1/courses', courseBody({ framework: 'cbc' })), 201);
    expect(cbc.grading_scale).toBe('cbc');
    expectProblem(
      await admin(env).post(`/api/v1/courses/${cbc.id}/publish`),
      422,
      'validation_failed',
      'competency_ids',
    );
    const comp = expectOk(
      await admin(env).post('/api/v1/competencies', {
        code: uid('LA'),
        title: 'Reads fluently',
        learning_area: 'languages',
      }),
      201,
    );
    expectOk(await admin(env).patch(`/api/v1/courses/${cbc.id}`, { competency_ids: [comp.id] }));
    expect(expectOk(await admin(env).post(`/api/v1/courses/${cbc.id}/publish`)).status).toBe('published');
  });

  it('names the unknown competency in competency_ids[i]', async () => {
    const res = await admin(env).post(
      '/api/v1/courses',
      courseBody({ framework: 'cbc', competency_ids: ['nope'] }),
    );
    expectProblem(res, 422, 'validation_failed', 'competency_ids[0]');
  });

  it('requires an existing subject for a British course', async () => {
    expectProblem(
      await admin(env).post('/api/v1/courses', courseBody({ framework: 'british' })),
      422,
      'validation_failed',
      'subject_id',
    );
    expectProblem(
      await admin(env).post('/api/v1/courses', courseBody({ framework: 'british', subject_id: 'missing' })),
      422,
      'validation_failed',
      'subject_id',
    );
    const subject = expectOk(
      await admin(env).post('/api/v1/subjects', { code: uid('PHY'), name: 'Physics', level: 'igcse' }),
      201,
    );
    const c = await makeCourse(env, { framework: 'british', subject_id: subject.id });
    expect(c).toMatchObject({ grading_scale: 'british', subject_id: subject.id, status: 'published' });
  });

  it('accepts only a known active staff member as instructor (422 unknown_instructor)', async () => {
    expectProblem(
      await admin(env).post('/api/v1/courses', courseBody({ instructor_id: 'ghost' })),
      422,
      'unknown_instructor',
      'instructor_id',
    );
    const teacher = await feedInstructor(env);
    const c = await makeCourse(env, { instructor_id: teacher.staffId });
    expect(c.instructor_id).toBe(teacher.staffId);
  });

  it('shows students and users published courses only; drafts answer 404', async () => {
    const draft = await makeCourse(env, {}, false);
    const pub = await makeCourse(env);
    const user = as(env, uid('user'), ['user']);
    expectProblem(await user.get(`/api/v1/courses/${draft.id}`), 404, 'not_found');
    expectOk(await user.get(`/api/v1/courses/${pub.id}`));
    const list = expectOk(await user.get('/api/v1/courses?limit=100'));
    expect(list.data.every((c: { status: string }) => c.status === 'published')).toBe(true);
    const all = expectOk(await admin(env).get('/api/v1/courses?status=draft&limit=100'));
    expect(all.data.map((c: { id: string }) => c.id)).toContain(draft.id);
  });

  it('lets only admin and staff write courses (403 for students and instructors)', async () => {
    expectProblem(
      await as(env, uid('s'), ['student']).post('/api/v1/courses', courseBody()),
      403,
      'forbidden',
    );
    expectProblem(
      await as(env, uid('i'), ['instructor']).post('/api/v1/courses', courseBody()),
      403,
      'forbidden',
    );
  });

  it('documents every route in its OpenAPI', async () => {
    const doc = expectOk(await admin(env).get('/openapi.json'));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/courses/{id}/publish',
        '/api/v1/courses/{id}/assessments',
        '/api/v1/courses/{id}/resources',
        '/api/v1/enrollments/{id}/grade',
        '/api/v1/enrollments/{id}/grade/compute',
        '/api/v1/students/{id}/enrollments',
        '/api/v1/students/{id}/competency-progress',
        '/api/v1/assessments/{id}/submissions',
        '/api/v1/competency-progress',
        '/api/v1/competencies/{id}/outcomes',
        '/api/v1/generic-skills',
        '/api/v1/subjects/{id}/topics',
        '/api/v1/topics/{id}/subtopics',
        '/api/v1/programs',
      ]),
    );
  });

  it('publishes course.published with the course’s scale', async () => {
    const seen: any[] = [];
    const sub = await env.bus.subscribe(
      { consumer: uid('probe'), types: ['course.published'] },
      async (ev) => {
        seen.push(ev);
      },
    );
    const g = await makeCourse(env);
    await env.eventually(async () => seen.some((e) => e.subject === g.id));
    expect(seen.find((e) => e.subject === g.id).data).toMatchObject({
      course_id: g.id,
      grading_scale: 'letter',
      credits: 3,
    });
    await sub.stop();
  });
});
