-- CBC: learning outcomes, generic skills, competency progress (a history: every assessment
-- is a row). British: ordered topics and subtopics. Programmes and course resources.
create table learning_outcomes (
  id text primary key,
  competency_id text not null references competencies (id),
  description text not null,
  position integer not null,
  created_at timestamptz not null default now()
);
create index learning_outcomes_list on learning_outcomes (competency_id, position, id);

create table generic_skills (
  id text primary key,
  name text not null unique,
  description text not null,
  created_at timestamptz not null default now()
);
create index generic_skills_list on generic_skills (name, id);

create table competency_progress (
  id text primary key,
  student_id text not null,
  competency_id text not null references competencies (id),
  status text not null,
  proficiency_level integer not null check (proficiency_level between 1 and 4),
  notes text,
  assessed_by text not null,
  created_at timestamptz not null default now()
);
create index competency_progress_student on competency_progress (student_id, created_at, id);

create table topics (
  id text primary key,
  subject_id text not null references subjects (id),
  title text not null,
  position integer not null,
  objectives jsonb not null default '[]',
  created_at timestamptz not null default now()
);
create index topics_list on topics (subject_id, position, id);

create table subtopics (
  id text primary key,
  topic_id text not null references topics (id),
  title text not null,
  position integer not null,
  objectives jsonb not null default '[]',
  created_at timestamptz not null default now()
);
create index subtopics_list on subtopics (topic_id, position, id);

create table programs (
  id text primary key,
  name text not null,
  framework text not null,
  level text not null,
  academic_year text not null,
  course_ids jsonb not null default '[]',
  created_at timestamptz not null default now()
);
create index programs_list on programs (created_at, id);

create table resources (
  id text primary key,
  course_id text not null references courses (id),
  title text not null,
  type text not null,
  url text not null,
  created_at timestamptz not null default now()
);
create index resources_course on resources (course_id, created_at, id);
