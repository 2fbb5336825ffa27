/**
 * Curriculum killed (SIGKILL) between an enrolment's commit and its event loses nothing: after
 * a restart the student's profile and their notification show the enrolment, once each.
 * Distributed mode only. Curriculum reaches NATS through a proxy the test stalls just before the
 * enrolment, so "before the relay could send" is certain rather than lucky.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_URL } from '@portico/kit/testing';
import { stallableProxy } from './nats-proxy.ts';
import { startSystem, systemMode, systemUnavailable, type Session, type System } from './harness.ts';
import { createCourse, createStudent, enrol, notificationsOf, type Student } from './school.ts';

const skip =
  systemMode === 'distributed' ? await systemUnavailable() : 'process-kill recovery runs in distributed mode';

describe.skipIf(skip)('curriculum crash between commit and relay (distributed)', () => {
  let sys: System;
  let proxy: Awaited<ReturnType<typeof stallableProxy>>;
  let admin: Session;
  let amina: Student;

  beforeAll(async () => {
    proxy = await stallableProxy(new URL(NATS_URL));
    sys = await startSystem({
      services: ['students', 'curriculum', 'staff', 'notifications'],
      partEnv: { curriculum: { NATS_URL: proxy.url } },
    });
    admin = await sys.admin();
    amina = await createStudent(sys, admin);
  }, 240_000);
  afterAll(async () => {
    await sys?.stop();
    proxy?.close();
  });

  it('shows the enrolment on the profile and notifies the student once after curriculum is killed and restarted', async () => {
    const warmUp = await createCourse(sys, admin);
    await enrol(sys, admin, amina.id, warmUp.id); // curriculum knows the student now
    const course = await createCourse(sys, admin);
    await sys.eventually(async () => {
      const p = await amina.session.client.get(`/api/v1/students/${amina.id}/profile`);
      return p.body.enrollments?.length === 1;
    });

    proxy.stall(); // from here, curriculum's publishes reach no one
    const res = await admin.client.post('/api/v1/enrollments', {
      student_id: amina.id,
      course_id: course.id,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
    const before = await amina.session.client.get(`/api/v1/students/${amina.id}/profile`);
    expect(before.body.enrollments).toHaveLength(1);

    await sys.crashAndRestart('curriculum');

    await sys.eventually(async () => {
      const p = await amina.session.client.get(`/api/v1/students/${amina.id}/profile`);
      return p.body.enrollments?.length === 2;
    }, 30_000);
    const about = (n: { body: string; title: string }) =>
      n.body.includes(course.code) || n.body.includes(course.title);
    await sys.eventually(async () => (await notificationsOf(amina.session)).some(about), 30_000);
    // Give a duplicate delivery time to show up, then count again.
    await new Promise((r) => setTimeout(r, 1500));
    const profile = await amina.session.client.get(`/api/v1/students/${amina.id}/profile`);
    expect(
      profile.body.enrollments.filter((e: { course_id: string }) => e.course_id === course.id),
    ).toHaveLength(1);
    expect((await notificationsOf(amina.session)).filter(about)).toHaveLength(1);
  });
});
