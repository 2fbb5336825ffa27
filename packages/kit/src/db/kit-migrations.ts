/**
 * The kit's own tables, created in every service's schema before the service's migrations:
 * the transactional outbox, the consumer inbox, dead letters and idempotency records.
 */
import type { Migration } from './migrations.ts';

export const kitMigrations: Migration[] = [
  {
    name: '000_kit_001_outbox_inbox',
    sql: `
      create table kit_outbox (
        seq bigserial primary key,
        id text not null unique,
        type text not null,
        event jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz
      );
      create index kit_outbox_pending on kit_outbox (seq) where published_at is null;

      create table kit_inbox (
        consumer text not null,
        event_id text not null,
        processed_at timestamptz not null default now(),
        primary key (consumer, event_id)
      );

      create table kit_dead_letters (
        id text primary key,
        consumer text not null,
        event_id text not null,
        event_type text not null,
        event jsonb not null,
        error text not null,
        attempts integer not null,
        status text not null default 'parked',
        created_at timestamptz not null default now(),
        replayed_at timestamptz
      );
      create index kit_dead_letters_status on kit_dead_letters (status, created_at);

      create table kit_idempotency (
        caller text not null,
        key text not null,
        method text not null,
        path text not null,
        request_hash text not null,
        state text not null,
        status_code integer,
        headers jsonb,
        body text,
        created_at timestamptz not null default now(),
        primary key (caller, key)
      );
    `,
  },
  {
    // An in-progress key is a lease (owner + expiry), and the transactions an attempt committed
    // are recorded with it (docs/api-conventions.md, "Idempotency-Key").
    name: '000_kit_002_idempotency_lease',
    sql: `
      alter table kit_idempotency add column owner text;
      alter table kit_idempotency add column locked_until timestamptz;
      alter table kit_idempotency add column steps jsonb;
    `,
  },
  {
    // Row versions and conditional writes (db/row-versions.ts, RFC 9110 §13.1.1). The trigger
    // bumps `version` on every UPDATE and, when the request in hand addresses this row with an
    // If-Match, checks it under the row lock the write holds (PT412 when stale).
    name: '000_kit_003_row_versions',
    sql: `
      create function kit_row_version() returns trigger language plpgsql as $fn$
      declare
        wanted text := coalesce(current_setting('portico.precondition', true), '');
        expected text;
      begin
        if wanted <> '' and old.id::text = split_part(wanted, E'\\t', 1) then
          expected := split_part(wanted, E'\\t', 2);
          if expected <> '' and expected <> '*'
             and not (old.version::text = any(string_to_array(expected, ','))) then
            raise exception 'If-Match does not match the current version' using errcode = 'PT412';
          end if;
          perform set_config('portico.precondition_met',
            case when tg_op = 'DELETE' then 'deleted' else (old.version + 1)::text end, false);
        end if;
        if tg_op = 'DELETE' then return old; end if;
        new.version := old.version + 1;
        return new;
      end $fn$;

      -- One line per table in a service migration: select kit_versioned('orders');
      create function kit_versioned(tbl text) returns void language plpgsql as $fn$
      begin
        execute format('alter table %I add column if not exists version integer not null default 1', tbl);
        execute format(
          'create trigger %I before update or delete on %I for each row execute function kit_row_version()',
          tbl || '_row_version', tbl);
      end $fn$;
    `,
  },
];
