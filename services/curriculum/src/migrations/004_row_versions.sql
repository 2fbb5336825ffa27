-- Row versions (kit migration 000_kit_003): each resource's `version` is bumped by a trigger on
-- every change, whoever writes it; GETs answer with it as a strong ETag and writes honour If-Match
-- against it (docs/api-conventions.md, "Conditional requests").
select kit_versioned('subjects');
select kit_versioned('competencies');
select kit_versioned('courses');
select kit_versioned('enrollments');
select kit_versioned('assessments');
select kit_versioned('submissions');
select kit_versioned('learning_outcomes');
select kit_versioned('generic_skills');
select kit_versioned('competency_progress');
select kit_versioned('topics');
select kit_versioned('subtopics');
select kit_versioned('programs');
select kit_versioned('resources');
