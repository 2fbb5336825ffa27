/**
 * The demo school, made through the public API as its admin would: a department with a teacher
 * and a bursar, a course in each framework (generic, CBC, British) with fees, students linked to
 * their logins, enrolments (which issue invoices), grades, competency progress and payments.
 * Every step finds what an earlier run made instead of making it twice.
 */
import { createOrFind, listAll, type DemoClient } from './client.ts';
import type { DemoAccount, DemoPerson } from './accounts.ts';

export const SCHOOL_PEOPLE: DemoPerson[] = [
  {
    key: 'teacher',
    email: 'wanjiru.kamau@demo.portico.local',
    full_name: 'Wanjiru Kamau',
    roles: ['instructor'],
  },
  { key: 'bursar', email: 'otieno.ouma@demo.portico.local', full_name: 'Otieno Ouma', roles: ['staff'] },
  { key: 'amina', email: 'amina.hassan@demo.portico.local', full_name: 'Amina Hassan', roles: ['student'] },
  { key: 'brian', email: 'brian.mwangi@demo.portico.local', full_name: 'Brian Mwangi', roles: ['student'] },
  { key: 'chloe', email: 'chloe.njeri@demo.portico.local', full_name: 'Chloe Njeri', roles: ['student'] },
  {
    key: 'daniel',
    email: 'daniel.kiprop@demo.portico.local',
    full_name: 'Daniel Kiprop',
    roles: ['student'],
  },
];

const STUDENTS: { key: string; number: string; dob: string; phone: string }[] = [
  { key: 'amina', number: 'DM100001', dob: '2009-04-17', phone: '+254 712 345678' },
  { key: 'brian', number: 'DM100002', dob: '2008-11-02', phone: '+254 722 100200' },
  { key: 'chloe', number: 'DM100003', dob: '2009-07-23', phone: '+254 733 445566' },
  { key: 'daniel', number: 'DM100004', dob: '2008-02-09', phone: '+254 701 998877' },
];

/** Course code → fee (KES minor units) and each student's score (absent: enrolled, not graded). */
const COURSES = [
  {
    code: 'DEMO-CS101',
    title: 'Introduction to Computing',
    framework: 'generic',
    credits: 3,
    fee: 1_500_000,
  },
  { code: 'DEMO-MATH7', title: 'Grade 7 Mathematics', framework: 'cbc', credits: 4, fee: 1_200_000 },
  { code: 'DEMO-IGPHY', title: 'IGCSE Physics', framework: 'british', credits: 4, fee: 1_800_000 },
] as const;

const SCORES: Record<string, Record<string, number>> = {
  amina: { 'DEMO-CS101': 93, 'DEMO-MATH7': 88, 'DEMO-IGPHY': 76 },
  brian: { 'DEMO-CS101': 71, 'DEMO-MATH7': 64 },
  chloe: { 'DEMO-CS101': 84, 'DEMO-IGPHY': 91 },
  daniel: { 'DEMO-MATH7': 55 },
};
/** Which students settle their fees: all of it, half, or nothing yet. */
const PAYS: Record<string, 'full' | 'half' | 'none'> = {
  amina: 'full',
  brian: 'half',
  chloe: 'none',
  daniel: 'half',
};

const byField = (field: string, value: string) => (rows: any[]) => rows.find((r) => r[field] === value);

async function teacherRecord(admin: DemoClient, teacher: DemoAccount) {
  const dept = await createOrFind(
    admin,
    '/api/v1/departments',
    { name: 'Sciences and Mathematics', description: 'Computing, mathematics and the sciences' },
    async () => byField('name', 'Sciences and Mathematics')(await listAll(admin, '/api/v1/departments')),
  );
  return createOrFind(
    admin,
    '/api/v1/staff',
    {
      employee_number: 'DEMO-T001',
      email: teacher.email,
      full_name: teacher.full_name,
      position: 'Mathematics and Physics teacher',
      department_id: dept.id,
      hire_date: '2021-01-11',
      user_id: teacher.id,
    },
    async () => byField('employee_number', 'DEMO-T001')(await listAll(admin, '/api/v1/staff?q=DEMO-T001')),
  );
}

async function courses(
  admin: DemoClient,
  staffId: string,
): Promise<Map<string, { id: string; credits: number }>> {
  const competency = await createOrFind(
    admin,
    '/api/v1/competencies',
    {
      code: 'DEMO-MA-NUM',
      title: 'Numbers and algebra',
      learning_area: 'mathematics',
      pillar: 'critical_thinking_problem_solving',
    },
    async () => byField('code', 'DEMO-MA-NUM')(await listAll(admin, '/api/v1/competencies')),
  );
  const subject = await createOrFind(
    admin,
    '/api/v1/subjects',
    { code: 'DEMO-PHY', name: 'Physics', level: 'igcse', exam_board: 'Cambridge' },
    async () => byField('code', 'DEMO-PHY')(await listAll(admin, '/api/v1/subjects')),
  );
  const out = new Map<string, { id: string; credits: number }>();
  for (const c of COURSES) {
    const body: Record<string, unknown> = {
      code: c.code,
      title: c.title,
      credits: c.credits,
      capacity: 40,
      framework: c.framework,
      term: '2026 Term 1',
      instructor_id: staffId,
      ...(c.framework === 'cbc' && { competency_ids: [competency.id] }),
      ...(c.framework === 'british' && { subject_id: subject.id }),
    };
    // Curriculum knows the teacher once staff.created has arrived there.
    const course = await admin.until(`course ${c.code}`, async () => {
      const r = await admin.post('/api/v1/courses', body);
      if (r.status === 201) return r.body;
      if (r.status === 409) return byField('code', c.code)(await listAll(admin, '/api/v1/courses'));
      return undefined;
    });
    if (course.status !== 'published')
      await admin.expect('POST', `/api/v1/courses/${course.id}/publish`, {}, [200, 409]);
    await admin.expect(
      'POST',
      '/api/v1/fee-schedules',
      { course_id: course.id, amount: c.fee, currency: 'KES', description: `${c.title} tuition` },
      [201, 409],
    );
    out.set(c.code, { id: course.id as string, credits: c.credits });
  }
  out.set('competency', { id: competency.id as string, credits: 0 });
  return out;
}

async function student(admin: DemoClient, s: (typeof STUDENTS)[number], person: DemoAccount) {
  return createOrFind(
    admin,
    '/api/v1/students',
    {
      student_number: s.number,
      email: person.email,
      full_name: person.full_name,
      phone: s.phone,
      date_of_birth: s.dob,
      address: 'P.O. Box 4521, Nairobi',
      user_id: person.id,
    },
    async () => byField('student_number', s.number)(await listAll(admin, `/api/v1/students?q=${s.number}`)),
  );
}

/** Enrols and grades the student; returns how many enrolments they hold. */
async function studies(
  admin: DemoClient,
  studentId: string,
  key: string,
  courseIds: Map<string, { id: string }>,
) {
  const scores = SCORES[key] ?? {};
  for (const [code, score] of Object.entries(scores)) {
    const courseId = courseIds.get(code)!.id;
    // Curriculum accepts the enrolment once student.created has reached it.
    const enrolment = await admin.until(`${key}'s enrolment in ${code}`, async () => {
      const r = await admin.post('/api/v1/enrollments', { student_id: studentId, course_id: courseId });
      if (r.status === 201) return r.body;
      if (r.status === 409) {
        const rows = await listAll(
          admin,
          `/api/v1/enrollments?student_id=${studentId}&course_id=${courseId}`,
        );
        return rows[0];
      }
      return undefined;
    });
    await admin.expect(
      'PUT',
      `/api/v1/enrollments/${enrolment.id}/grade`,
      { score },
      [200],
      `/api/v1/enrollments/${enrolment.id}`,
    );
  }
  if (scores['DEMO-MATH7'] !== undefined) {
    const progress = await listAll(admin, `/api/v1/students/${studentId}/competency-progress`);
    if (progress.length === 0)
      await admin.expect(
        'POST',
        '/api/v1/competency-progress',
        {
          student_id: studentId,
          competency_id: courseIds.get('competency')!.id,
          status: scores['DEMO-MATH7'] >= 70 ? 'achieved' : 'in_progress',
          proficiency_level: scores['DEMO-MATH7'] >= 70 ? 3 : 2,
          notes: 'End of term assessment',
        },
        [201],
      );
  }
  return Object.keys(scores).length;
}

/** Pays the student's invoices as `PAYS` says; the Idempotency-Key makes a re-run pay nothing twice. */
async function fees(admin: DemoClient, studentId: string, key: string, enrolments: number) {
  // Finance issues each invoice when enrollment.created reaches it.
  const invoices = await admin.until(`${key}'s invoices`, async () => {
    const rows = await listAll(admin, `/api/v1/invoices?student_id=${studentId}`);
    return rows.length >= enrolments ? rows : undefined;
  });
  const how = PAYS[key] ?? 'none';
  if (how === 'none') return;
  for (const inv of invoices) {
    if (inv.status === 'void') continue;
    const amount = how === 'full' ? inv.total : Math.round(inv.total / 2);
    const r = await admin.post(
      `/api/v1/invoices/${inv.id}/payments`,
      { amount, method: how === 'full' ? 'bank_transfer' : 'mpesa', reference: `DEMO-${inv.number}` },
      { 'idempotency-key': `demo-payment-${inv.id}` },
    );
    if (r.status !== 201 && r.status !== 409)
      throw new Error(`paying ${inv.number}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** The teacher asks for two days off (pending: the office decides in the console). */
async function absence(admin: DemoClient, staffId: string) {
  const existing = await listAll(admin, `/api/v1/staff/${staffId}/absences`);
  if (existing.length) return;
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  await admin.expect(
    'POST',
    `/api/v1/staff/${staffId}/absences`,
    { start_date: day(14), end_date: day(15), reason: 'KCSE marking workshop in Nakuru' },
    [201],
  );
}

export async function seedSchool(admin: DemoClient, people: Map<string, DemoAccount>): Promise<void> {
  const staff = await teacherRecord(admin, people.get('teacher')!);
  await absence(admin, staff.id as string);
  const courseIds = await courses(admin, staff.id as string);
  for (const s of STUDENTS) {
    const record = await student(admin, s, people.get(s.key)!);
    const n = await studies(admin, record.id as string, s.key, courseIds);
    await fees(admin, record.id as string, s.key, n);
  }
}
