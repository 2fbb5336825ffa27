-- user.registered carries no roles: until user.roles_changed (or a user.registered that does
-- carry them) says otherwise, `roles` is only an assumption ('user'). Admin-scope webhook
-- endpoints are narrowed to their owner's own events only when the roles are known.
alter table users add column roles_known boolean not null default false;
