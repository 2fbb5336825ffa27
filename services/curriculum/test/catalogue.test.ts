import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import curriculum from '../src/service.ts';
import { isHttpsUrl } from '../src/domain/resource.ts';
import { admin, as, expectOk, expectProblem, feedInstructor, makeCourse, staff, uid } from './helpers.ts';

const skip = await matrixUnavailable();

describe('resource URLs', () => {
  it.each([
    ['https://example.org/notes.pdf', true],
    ['http://example.org/notes.pdf', false],
    ['javascript:alert(1)', false],
    ['data:text/html,hi', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => {
    expect(isHttpsUrl(url)).toBe(ok);
  });
});

describe.skipIf(skip)(`subjects, programmes and resources (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([curriculum]);
  });
  afterAll(() => env?.stop());

  it('keeps subjects with unique codes and ordered topics and subtopics with objectives', async () => {
    const code = uid('MATH');
    const subject = expectOk(
      await admin(env).post('/api/v1/subjects', {
        code,
        name: 'Mathematics',
        level: 'igcse',
        exam_board: 'Cambridge',
      }),
      201,
    );
    expect(subject).toMatchObject({ level: 'igcse', exam_board: 'Cambridge' });
    expectProblem(
      await admin(env).post('/api/v1/subjects', { code, name: 'Again', level: 'igcse' }),
      409,
      'already_exists',
      'code',
    );
    expectProblem(
      await admin(env).post('/api/v1/subjects', { code: uid('X'), name: 'X', level: 'university' }),
      422,
      'validation_failed',
      'level',
    );
    const topics = `/api/v1/subjects/${subject.id}/topics`;
    expectOk(
      await admin(env).post(topics, { title: 'Algebra', order: 2, objectives: ['Solve linear equations'] }),
      201,
    );
    const number = expectOk(
      await admin(env).post(topics, { title: 'Number', order: 1, objectives: ['Primes'] }),
      201,
    );
    expectOk(await admin(env).post(topics, { title: 'Geometry' }), 201);
    const reader = as(env, uid('stu'), ['student']);
    const list = expectOk(await reader.get(topics)).data;
    expect(list.map((t: { title: string; order: number }) => [t.title, t.order])).toEqual([
      ['Number', 1],
      ['Algebra', 2],
      ['Geometry', 3],
    ]);
    expect(list[0].objectives).toEqual(['Primes']);
    const subs = `/api/v1/topics/${number.id}/subtopics`;
    expectOk(
      await admin(env).post(subs, { title: 'Fractions', order: 2, objectives: ['Add fractions'] }),
      201,
    );
    expectOk(await admin(env).post(subs, { title: 'Integers', order: 1, objectives: [] }), 201);
    expect(expectOk(await reader.get(subs)).data.map((t: { title: string }) => t.title)).toEqual([
      'Integers',
      'Fractions',
    ]);
    expectProblem(await reader.post(topics, { title: 'Nope' }), 403, 'forbidden');
    expectProblem(await admin(env).get('/api/v1/subjects/missing/topics'), 404, 'not_found');
  });

  it('creates a programme of existing courses in order; an unknown one → 422 naming course_ids[i]', async () => {
    const [a, b] = [await makeCourse(env), await makeCourse(env, {}, false)];
    const body = { name: 'Grade 7', framework: 'cbc', level: 'grade_7', academic_year: '2026/2027' };
    const p = expectOk(await staff(env).post('/api/v1/programs', { ...body, course_ids: [b.id, a.id] }), 201);
    expect(p.course_ids).toEqual([b.id, a.id]);
    expect(expectOk(await staff(env).get(`/api/v1/programs/${p.id}`)).course_ids).toEqual([b.id, a.id]);
    const res = await staff(env).post('/api/v1/programs', { ...body, course_ids: [a.id, 'ghost-course'] });
    expectProblem(res, 422, 'validation_failed', 'course_ids[1]');
    expect(res.body.errors[0].message).toContain('ghost-course');
    expectProblem(
      await staff(env).post('/api/v1/programs', { ...body, academic_year: 'next year', course_ids: [] }),
      422,
      'validation_failed',
      'academic_year',
    );
    expectProblem(await as(env, uid('s'), ['student']).get('/api/v1/programs'), 403, 'forbidden');
  });

  it('attaches https resources only (422 naming url); the instructor may add, students read', async () => {
    const teacher = await feedInstructor(env);
    const course = await makeCourse(env, { instructor_id: teacher.staffId });
    const url = `/api/v1/courses/${course.id}/resources`;
    expectProblem(
      await admin(env).post(url, { title: 'Notes', type: 'document', url: 'http://example.org/notes.pdf' }),
      422,
      'validation_failed',
      'url',
    );
    expectProblem(
      await admin(env).post(url, { title: 'Notes', type: 'podcast', url: 'https://example.org/a.mp3' }),
      422,
      'validation_failed',
      'type',
    );
    expectOk(
      await teacher.client.post(url, { title: 'Lecture', type: 'video', url: 'https://video.example.org/1' }),
      201,
    );
    const student = as(env, uid('s'), ['student']);
    expectProblem(
      await student.post(url, { title: 'Mine', type: 'link', url: 'https://example.org' }),
      403,
      'forbidden',
    );
    const list = expectOk(await student.get(url)).data;
    expect(list).toEqual([
      expect.objectContaining({ title: 'Lecture', type: 'video', url: 'https://video.example.org/1' }),
    ]);
  });
});
