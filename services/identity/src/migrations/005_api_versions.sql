-- Dated API versions (docs/versions.md): every user and API key is pinned to the version that
-- was current when it was created; the owner may change it. Rows that existed before dated
-- versions keep the first one, the shapes they were built against. New rows get the latest
-- version from the code (repository/users.ts, commands/api-keys.ts), so no default remains.
ALTER TABLE users ADD COLUMN api_version text NOT NULL DEFAULT '2026-01-01';
ALTER TABLE users ALTER COLUMN api_version DROP DEFAULT;
ALTER TABLE api_keys ADD COLUMN api_version text NOT NULL DEFAULT '2026-01-01';
ALTER TABLE api_keys ALTER COLUMN api_version DROP DEFAULT;
