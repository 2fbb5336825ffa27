-- The profile read model: what curriculum and finance told us about a student, kept only from
-- their events (no synchronous calls). Rows are keyed by student_id WITHOUT a foreign key to
-- students: an event may arrive before `students` has the record, or for a student created
-- elsewhere first; it is stored anyway and shows once the record exists.
--
-- Events can arrive out of order (redelivery, retries with backoff, several publishers), so
-- every row remembers the (time, id) of the event that last wrote it and a write applies only
-- when its event is later: the last event wins whatever order they are delivered in. uuidv7
-- event ids are time-ordered, so they break ties within one millisecond.

create table profile_enrollments (
  enrollment_id text collate "C" primary key,
  student_id text collate "C" not null,
  course_id text not null,
  course_code text not null,
  course_title text not null,
  credits double precision not null,
  status text not null check (status in ('active', 'dropped')),
  enrolled_at timestamptz(3),
  dropped_at timestamptz(3),
  event_time timestamptz(3) not null,
  event_id text collate "C" not null
);
create index profile_enrollments_student on profile_enrollments (student_id);

-- One grade per (student, course): a re-recorded grade replaces the earlier one.
create table profile_grades (
  student_id text collate "C" not null,
  course_id text collate "C" not null,
  enrollment_id text not null,
  course_code text not null,
  course_title text not null,
  credits double precision not null,
  score double precision not null,
  grade text not null,
  grade_points double precision not null,
  scale text not null,
  recorded_at timestamptz(3) not null,
  event_id text collate "C" not null,
  primary key (student_id, course_id)
);

-- The latest progress per (student, competency).
create table profile_competencies (
  student_id text collate "C" not null,
  competency_id text collate "C" not null,
  competency_code text not null,
  progress_id text not null,
  status text not null,
  proficiency_level integer not null,
  assessed_by text not null,
  recorded_at timestamptz(3) not null,
  event_id text collate "C" not null,
  primary key (student_id, competency_id)
);

-- The account balance finance reported last (minor units; negative = a credit).
create table profile_accounts (
  student_id text collate "C" primary key,
  account_id text not null,
  balance bigint not null,
  currency text not null,
  changed_at timestamptz(3) not null,
  event_id text collate "C" not null
);
