-- Row versions (kit migration 000_kit_003): each resource's `version` is bumped by a trigger on
-- every change, whoever writes it; GETs answer with it as a strong ETag and writes honour If-Match
-- against it (docs/api-conventions.md, "Conditional requests").
select kit_versioned('accounts');
select kit_versioned('invoices');
select kit_versioned('payments');
select kit_versioned('refunds');
select kit_versioned('credit_notes');
select kit_versioned('fee_schedules');
select kit_versioned('budgets');
select kit_versioned('budget_expenses');
