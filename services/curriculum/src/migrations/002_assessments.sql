-- Assessments of a course and each student's (single, updatable) submission.
create table assessments (
  id text primary key,
  course_id text not null references courses (id),
  title text not null,
  kind text not null,
  max_score double precision not null check (max_score > 0),
  weight double precision not null check (weight > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index assessments_course on assessments (course_id, created_at, id);

create table submissions (
  id text primary key,
  assessment_id text not null references assessments (id),
  enrollment_id text not null references enrollments (id),
  student_id text not null,
  score double precision not null check (score >= 0),
  percentage double precision not null check (percentage between 0 and 100),
  recorded_by text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (assessment_id, student_id)
);
create index submissions_assessment on submissions (assessment_id, created_at, id);
create index submissions_enrollment on submissions (enrollment_id);
