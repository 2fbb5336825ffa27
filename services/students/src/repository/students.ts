/** SQL for student records (Kysely): rows in and out, the duplicate check and the list query. */
import { paginate, type Page } from '@portico/kit';
import type { StudentStatus } from '@portico/contracts';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import { containsPattern, sortSpec, type StudentSort } from '../domain/student.ts';
import type { StudentRow, StudentsDatabase, StudentsTable } from '../tables.ts';

type Db = Kysely<StudentsDatabase> | Transaction<StudentsDatabase>;

/**
 * The columns a student is read with. `date_of_birth` is a `date`, which the pg driver turns
 * into a local-midnight Date and PGlite into a UTC one: read as text, it is the same
 * `YYYY-MM-DD` on both.
 */
const COLUMNS = [
  'id',
  'student_number',
  'email',
  'full_name',
  'name_key',
  'phone',
  'address',
  sql<string | null>`to_char(date_of_birth, 'YYYY-MM-DD')`.as('date_of_birth'),
  'status',
  'user_id',
  'created_at',
  'updated_at',
] as const;

export interface NewStudent {
  id: string;
  student_number: string;
  email: string;
  full_name: string;
  phone: string | null;
  address: string | null;
  date_of_birth: string | null;
  user_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export async function insertStudent(db: Db, values: NewStudent): Promise<StudentRow> {
  return db.insertInto('students').values(values).returning(COLUMNS).executeTakeFirstOrThrow();
}

/** One student; `forUpdate` locks the row until the transaction ends (concurrent PATCHes serialise). */
export async function findStudent(
  db: Db,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<StudentRow | undefined> {
  let q = db.selectFrom('students').select(COLUMNS).where('id', '=', id);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The student a login is linked to, if any. */
export async function findStudentByUser(db: Db, userId: string): Promise<StudentRow | undefined> {
  return db.selectFrom('students').select(COLUMNS).where('user_id', '=', userId).executeTakeFirst();
}

export type StudentPatch = Omit<Updateable<StudentsTable>, 'id' | 'name_key' | 'created_at'>;

export async function updateStudent(db: Db, id: string, patch: StudentPatch): Promise<StudentRow> {
  return db
    .updateTable('students')
    .set(patch)
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export interface UniqueKeys {
  student_number?: string | undefined;
  email?: string | undefined;
  user_id?: string | null | undefined;
}

/** Which of the unique keys another student (not `exceptId`) already holds. */
export async function takenKeys(db: Db, keys: UniqueKeys, exceptId?: string): Promise<(keyof UniqueKeys)[]> {
  const { student_number, email, user_id } = keys;
  if (student_number === undefined && email === undefined && (user_id === undefined || user_id === null))
    return [];
  let q = db
    .selectFrom('students')
    .select(['student_number', 'email', 'user_id'])
    .where((eb) =>
      eb.or([
        ...(student_number !== undefined ? [eb('student_number', '=', student_number)] : []),
        ...(email !== undefined ? [eb(eb.fn('lower', ['email']), '=', email.toLowerCase())] : []),
        ...(user_id !== undefined && user_id !== null ? [eb('user_id', '=', user_id)] : []),
      ]),
    );
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  const rows = await q.execute();
  const taken = new Set<keyof UniqueKeys>();
  for (const r of rows) {
    if (student_number !== undefined && r.student_number === student_number) taken.add('student_number');
    if (email !== undefined && r.email.toLowerCase() === email.toLowerCase()) taken.add('email');
    if (user_id != null && r.user_id === user_id) taken.add('user_id');
  }
  return (['student_number', 'email', 'user_id'] as const).filter((k) => taken.has(k));
}

export interface StudentListOptions {
  /** Only the student linked to this login (a caller who may read only their own record). */
  onlyUser?: string | null | undefined;
  status?: StudentStatus | undefined;
  q?: string | undefined;
  sort: StudentSort;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export async function listStudents(db: Db, o: StudentListOptions): Promise<Page<StudentRow>> {
  let q = db.selectFrom('students').select(COLUMNS);
  if (o.onlyUser !== undefined) q = q.where('user_id', '=', o.onlyUser ?? '');
  if (o.status) q = q.where('status', '=', o.status);
  if (o.q) {
    const pattern = containsPattern(o.q);
    q = q.where((eb) =>
      eb.or([
        eb('full_name', 'ilike', pattern),
        eb('email', 'ilike', pattern),
        eb('student_number', 'ilike', pattern),
      ]),
    );
  }
  const { column, direction } = sortSpec(o.sort);
  return paginate(q, { limit: o.limit, cursor: o.cursor, sort: column, direction });
}
