-- Consumer plans (docs/plans.md): the plan an admin assigned to a user and, overriding it, to
-- one API key. Null: no plan of its own (a key falls back to its owner's, a user to the
-- gateway's default). The plans themselves (rate, monthly quota, concurrency) are defined in
-- portico.yaml; identity stores only their names.
alter table users add column plan text;
alter table api_keys add column plan text;
