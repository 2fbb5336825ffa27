-- Who curriculum knows about (kept from students' and staff's events: no synchronous calls),
-- courses with their seats, and enrolments.
-- `event_time` is the time of the event that last wrote the row: an older event arriving late
-- (redelivery, another partition) never overwrites a newer one.
create table known_students (
  id text primary key,
  user_id text,
  status text not null,
  event_time timestamptz not null,
  updated_at timestamptz not null default now()
);
create index known_students_user on known_students (user_id);

create table known_staff (
  id text primary key,
  user_id text,
  status text not null,
  event_time timestamptz not null,
  updated_at timestamptz not null default now()
);
create index known_staff_user on known_staff (user_id);

create table subjects (
  id text primary key,
  code text not null unique,
  name text not null,
  level text not null,
  exam_board text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index subjects_list on subjects (code, id);

create table competencies (
  id text primary key,
  code text not null unique,
  title text not null,
  learning_area text not null,
  pillar text,
  core boolean not null default false,
  proficiency_levels jsonb,
  description text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index competencies_list on competencies (code, id);

-- Seats: `enrolled` counts active enrolments; the check is the last line of defence, the
-- conditional UPDATE in enrol (enrolled < capacity) is what makes 25 of 30 racers win.
create table courses (
  id text primary key,
  code text not null unique,
  title text not null,
  description text,
  credits integer not null check (credits >= 0),
  capacity integer not null check (capacity >= 1),
  enrolled integer not null default 0 check (enrolled >= 0),
  framework text not null,
  grading_scale text not null,
  instructor_id text,
  term text,
  subject_id text references subjects (id),
  competency_ids jsonb not null default '[]',
  self_enrollment boolean not null default false,
  status text not null default 'draft',
  published_at timestamptz,
  archived_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint courses_seats check (enrolled <= capacity)
);
create index courses_list on courses (created_at, id);
create index courses_instructor on courses (instructor_id);

create table enrollments (
  id text primary key,
  student_id text not null,
  course_id text not null references courses (id),
  status text not null default 'active',
  score double precision,
  grade text,
  grade_points integer,
  graded_at timestamptz,
  graded_by text,
  dropped_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One active enrolment per student and course; a dropped one may be followed by a new one.
create unique index enrollments_one_active on enrollments (student_id, course_id) where status = 'active';
create index enrollments_list on enrollments (created_at, id);
create index enrollments_student on enrollments (student_id, created_at, id);
create index enrollments_course on enrollments (course_id, created_at, id);
