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
];
