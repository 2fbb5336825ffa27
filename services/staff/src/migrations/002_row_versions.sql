-- Row versions (kit migration 000_kit_003): each resource's `version` is bumped by a trigger on
-- every change, whoever writes it; GETs answer with it as a strong ETag and writes honour If-Match
-- against it (docs/api-conventions.md, "Conditional requests").
select kit_versioned('departments');
select kit_versioned('staff');
select kit_versioned('salaries');
select kit_versioned('absences');
