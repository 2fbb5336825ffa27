import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixLabel, matrixUnavailable, startTestServices, type TestServices } from '@portico/kit/testing';
import curriculum from '../src/service.ts';
import {
  admin,
  as,
  enrol,
  expectOk,
  expectProblem,
  feedInstructor,
  feedStudent,
  makeCourse,
  staff,
  uid,
} from './helpers.ts';

const skip = await matrixUnavailable();

describe.skipIf(skip)(`CBC competencies and progress (${matrixLabel})`, () => {
  let env: TestServices;
  beforeAll(async () => {
    env = await startTestServices([curriculum]);
  });
  afterAll(() => env?.stop());

  const competency = async (extra: Record<string, unknown> = {}) =>
    expectOk(
      await admin(env).post('/api/v1/competencies', {
        code: uid('CMP'),
        title: 'Communicates clearly',
        learning_area: 'languages',
        pillar: 'communication_collaboration',
        core: true,
        ...extra,
      }),
      201,
    );

  it('creates competencies with the CBC vocabularies, unique codes and ordered outcomes', async () => {
    const c = await competency({ proficiency_levels: ['Below', 'Approaching', 'Meeting', 'Exceeding'] });
    expect(c).toMatchObject({
      learning_area: 'languages',
      pillar: 'communication_collaboration',
      core: true,
    });
    expectProblem(
      await admin(env).post('/api/v1/competencies', { code: c.code, title: 'x', learning_area: 'languages' }),
      409,
      'already_exists',
      'code',
    );
    expectProblem(
      await admin(env).post('/api/v1/competencies', {
        code: uid('X'),
        title: 'x',
        learning_area: 'astrology',
      }),
      422,
      'validation_failed',
      'learning_area',
    );
    expectProblem(
      await admin(env).post('/api/v1/competencies', {
        code: uid('X'),
        title: 'x',
        learning_area: 'languages',
        pillar: 'luck',
      }),
      422,
      'validation_failed',
      'pillar',
    );
    const url = `/api/v1/competencies/${c.id}/outcomes`;
    expectOk(await admin(env).post(url, { description: 'Second', order: 2 }), 201);
    expectOk(await admin(env).post(url, { description: 'First', order: 1 }), 201);
    expectOk(await admin(env).post(url, { description: 'Third' }), 201);
    const outcomes = expectOk(await as(env, uid('u'), ['student']).get(url)).data;
    expect(outcomes.map((o: { description: string }) => o.description)).toEqual(['First', 'Second', 'Third']);
    expectProblem(await as(env, uid('u'), ['student']).post(url, { description: 'no' }), 403, 'forbidden');
  });

  it('keeps generic skills with unique names', async () => {
    const name = uid('Teamwork');
    expectOk(
      await staff(env).post('/api/v1/generic-skills', { name, description: 'Works with others' }),
      201,
    );
    expectProblem(
      await staff(env).post('/api/v1/generic-skills', { name, description: 'again' }),
      409,
      'already_exists',
      'name',
    );
    const list = expectOk(await as(env, uid('u'), ['user']).get('/api/v1/generic-skills?limit=100')).data;
    expect(list.map((g: { name: string }) => g.name)).toContain(name);
  });

  it('records progress by staff or the student’s instructor, with assessed_by = the caller', async () => {
    const teacher = await feedInstructor(env);
    const stranger = await feedInstructor(env);
    const c = await competency();
    const course = await makeCourse(env, {
      framework: 'cbc',
      competency_ids: [c.id],
      instructor_id: teacher.staffId,
    });
    const s = await feedStudent(env);
    expectOk(await enrol(admin(env), s.id, course.id), 201);
    const body = { student_id: s.id, competency_id: c.id, status: 'in_progress', proficiency_level: 2 };
    const rec = expectOk(await teacher.client.post('/api/v1/competency-progress', body), 201);
    expect(rec).toMatchObject({ status: 'in_progress', proficiency_level: 2, assessed_by: teacher.userId });
    // Give the stranger's staff.created time to arrive: then their 403 is about teaching, not knowing them.
    await makeCourse(env, { instructor_id: stranger.staffId }, false);
    expectProblem(await stranger.client.post('/api/v1/competency-progress', body), 403, 'forbidden');
    expectProblem(await s.client.post('/api/v1/competency-progress', body), 403, 'forbidden');
    expectProblem(
      await staff(env).post('/api/v1/competency-progress', { ...body, proficiency_level: 5 }),
      422,
      'validation_failed',
      'proficiency_level',
    );
    expectProblem(
      await staff(env).post('/api/v1/competency-progress', { ...body, student_id: uid('ghost') }),
      422,
      'unknown_student',
      'student_id',
    );
    expectProblem(
      await staff(env).post('/api/v1/competency-progress', { ...body, competency_id: 'nope' }),
      422,
      'validation_failed',
      'competency_id',
    );
    expectOk(
      await staff(env).post('/api/v1/competency-progress', {
        ...body,
        status: 'achieved',
        proficiency_level: 3,
      }),
      201,
    );
  });

  it('shows progress to the student, their instructor and staff; anyone else gets 404', async () => {
    const teacher = await feedInstructor(env);
    const c = await competency();
    const course = await makeCourse(env, {
      framework: 'cbc',
      competency_ids: [c.id],
      instructor_id: teacher.staffId,
    });
    const [s, other] = [await feedStudent(env), await feedStudent(env)];
    expectOk(await enrol(admin(env), s.id, course.id), 201);
    const seen: any[] = [];
    const sub = await env.bus.subscribe(
      { consumer: uid('probe'), types: ['competency.progress_recorded'] },
      async (ev) => {
        seen.push(ev);
      },
    );
    const rec = expectOk(
      await staff(env).post('/api/v1/competency-progress', {
        student_id: s.id,
        competency_id: c.id,
        status: 'mastered',
        proficiency_level: 4,
        notes: 'Excellent',
      }),
      201,
    );
    const url = `/api/v1/students/${s.id}/competency-progress`;
    expect(expectOk(await s.client.get(url)).data.map((p: { id: string }) => p.id)).toEqual([rec.id]);
    expect(expectOk(await teacher.client.get(url)).data).toHaveLength(1);
    expect(expectOk(await staff(env).get(url)).data).toHaveLength(1);
    expectProblem(await other.client.get(url), 404, 'not_found');
    const outsider = await feedInstructor(env);
    await makeCourse(env, { instructor_id: outsider.staffId }, false);
    expectProblem(await outsider.client.get(url), 404, 'not_found');
    await env.eventually(async () => seen.some((e) => e.subject === rec.id));
    expect(seen.find((e) => e.subject === rec.id).data).toMatchObject({
      student_id: s.id,
      competency_code: c.code,
      status: 'mastered',
      proficiency_level: 4,
      assessed_by: 'staff-office',
      user_id: s.userId,
    });
    await sub.stop();
  });
});
