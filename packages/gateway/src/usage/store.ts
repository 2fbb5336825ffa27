/**
 * Where usage is kept: one row per (minute, route, method, status, user, API key, plan), in a
 * database of its own: the `usage` schema of the embedded PGlite instance (`portico dev`), or
 * the PostgreSQL database named by `USAGE_DATABASE_URL` (distributed mode). The same SQL runs
 * on both (the kit's `ServiceDatabase`). Writes add to a row (`on conflict … count + excluded`),
 * so any number of gateway processes and worker threads may flush the same minute: each
 * request is counted by the one process that answered it, once.
 */
import { sql, type RawBuilder } from 'kysely';
import { runMigrations, type ServiceDatabase } from '@portico/kit/runtime';

/** One rolled-up minute of one (route, method, status, caller, plan). */
export interface UsageRow {
  /** Epoch minute (ms / 60 000). */
  minute: number;
  /** The route template (`/api/v1/tasks/{id}`). */
  route: string;
  method: string;
  status: number;
  /** '' when none. */
  userId: string;
  apiKeyId: string;
  plan: string;
  deprecated: boolean;
  /** Requests (each sampled one counts 1 / sample rate). */
  count: number;
  latencyMsSum: number;
  latencyMsMax: number;
}

export interface UsageFilter {
  /** Epoch minutes, `to` exclusive. */
  fromMinute: number;
  toMinute: number;
  userId?: string;
  apiKeyId?: string;
  route?: string;
  status?: number;
}

export interface UsageCount {
  requests: number;
  latency_ms_avg: number | null;
  latency_ms_max: number | null;
}

export interface UsageReport {
  totals: UsageCount;
  by_route: ({ route: string; method: string } & UsageCount)[];
  by_status: { status: number; requests: number }[];
  by_key: { api_key_id: string | null; requests: number }[];
  /** Epoch minutes or days (the caller's `interval`) with their requests. */
  series: { at: number; requests: number }[];
}

export interface DeprecatedCaller {
  route: string;
  method: string;
  user_id: string | null;
  api_key_id: string | null;
  requests: number;
  last_minute: number;
}

export interface UsageStore {
  write(rows: readonly UsageRow[]): Promise<void>;
  report(filter: UsageFilter, interval: 'minute' | 'day'): Promise<UsageReport>;
  deprecatedCallers(filter: UsageFilter): Promise<DeprecatedCaller[]>;
  /** Whether `apiKeyId` was recorded on behalf of a user other than `userId` within the window. */
  keyUsedByOther(apiKeyId: string, userId: string, window: UsageFilter): Promise<boolean>;
  /** Deletes minutes before `minute`; the number deleted. */
  prune(beforeMinute: number): Promise<number>;
  close(): Promise<void>;
}

const MIGRATIONS = [
  {
    name: '001_usage_minutes',
    sql: `create table if not exists usage_minutes (
  minute bigint not null,
  route text not null,
  method text not null,
  status integer not null,
  user_id text not null,
  api_key_id text not null,
  plan text not null,
  deprecated boolean not null,
  requests double precision not null,
  latency_ms_sum double precision not null,
  latency_ms_max double precision not null,
  primary key (minute, route, method, status, user_id, api_key_id, plan)
);
-- One secondary index (each costs the flush ~20 ms per 600 rows on PGlite): a user's own usage,
-- with or without one of their keys; an admin asking by key alone scans the window by minute.
create index if not exists usage_minutes_caller on usage_minutes (user_id, api_key_id, minute);
create index if not exists usage_minutes_deprecated on usage_minutes (minute) where deprecated`,
  },
];

/** Rows per insert statement (a flush holds one row per distinct key seen since the last one). */
const CHUNK = 5000;

const rounded = (n: number) => Math.round(n);
const ms = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export class SqlUsageStore implements UsageStore {
  readonly #db: ServiceDatabase;
  readonly #own: boolean;

  private constructor(db: ServiceDatabase, own: boolean) {
    this.#db = db;
    this.#own = own;
  }

  /** Migrates `db` (its schema) and stores usage there; `own`: close it with the store. */
  static async open(db: ServiceDatabase, own = false): Promise<SqlUsageStore> {
    await runMigrations(db, MIGRATIONS);
    return new SqlUsageStore(db, own);
  }

  async write(rows: readonly UsageRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const col = <T>(f: (r: UsageRow) => T) => chunk.map(f);
      // One array per column (`unnest`): 11 parameters whatever the number of rows, so the
      // statement parses as fast for 1 000 rows as for one.
      await sql`insert into usage_minutes
          (minute, route, method, status, user_id, api_key_id, plan, deprecated, requests, latency_ms_sum, latency_ms_max)
        select * from unnest(
          ${col((r) => r.minute)}::bigint[], ${col((r) => r.route)}::text[], ${col((r) => r.method)}::text[],
          ${col((r) => r.status)}::integer[], ${col((r) => r.userId)}::text[], ${col((r) => r.apiKeyId)}::text[],
          ${col((r) => r.plan)}::text[], ${col((r) => r.deprecated)}::boolean[], ${col((r) => r.count)}::float8[],
          ${col((r) => r.latencyMsSum)}::float8[], ${col((r) => r.latencyMsMax)}::float8[])
        on conflict (minute, route, method, status, user_id, api_key_id, plan) do update set
          requests = usage_minutes.requests + excluded.requests,
          latency_ms_sum = usage_minutes.latency_ms_sum + excluded.latency_ms_sum,
          latency_ms_max = greatest(usage_minutes.latency_ms_max, excluded.latency_ms_max),
          deprecated = usage_minutes.deprecated or excluded.deprecated`.execute(this.#db.db);
    }
  }

  #where(f: UsageFilter): RawBuilder<unknown> {
    const parts: RawBuilder<unknown>[] = [sql`minute >= ${f.fromMinute}`, sql`minute < ${f.toMinute}`];
    if (f.userId !== undefined) parts.push(sql`user_id = ${f.userId}`);
    if (f.apiKeyId !== undefined) parts.push(sql`api_key_id = ${f.apiKeyId}`);
    if (f.route !== undefined) parts.push(sql`route = ${f.route}`);
    if (f.status !== undefined) parts.push(sql`status = ${f.status}`);
    return sql.join(parts, sql` and `);
  }

  async report(f: UsageFilter, interval: 'minute' | 'day'): Promise<UsageReport> {
    const where = this.#where(f);
    const db = this.#db.db;
    type Agg = { requests: number | null; lsum: number | null; lmax: number | null };
    const count = (a: Agg): UsageCount => {
      const requests = a.requests ?? 0;
      return {
        requests: rounded(requests),
        latency_ms_avg: requests > 0 ? ms((a.lsum ?? 0) / requests) : null,
        latency_ms_max: requests > 0 ? ms(a.lmax) : null,
      };
    };
    const agg = sql`sum(requests) as requests, sum(latency_ms_sum) as lsum, max(latency_ms_max) as lmax`;
    const bucket = interval === 'day' ? sql`(minute / 1440) * 1440` : sql`minute`;
    const [totals, routes, statuses, keys, series] = await Promise.all([
      sql<Agg>`select ${agg} from usage_minutes where ${where}`.execute(db),
      sql<Agg & { route: string; method: string }>`select route, method, ${agg} from usage_minutes
        where ${where} group by route, method order by sum(requests) desc, route, method limit 200`.execute(
        db,
      ),
      sql<{ status: number; requests: number }>`select status, sum(requests) as requests from usage_minutes
        where ${where} group by status order by status`.execute(db),
      sql<{
        api_key_id: string;
        requests: number;
      }>`select api_key_id, sum(requests) as requests from usage_minutes
        where ${where} group by api_key_id order by sum(requests) desc, api_key_id limit 200`.execute(db),
      sql<{
        at: number;
        requests: number;
      }>`select ${bucket} as at, sum(requests) as requests from usage_minutes
        where ${where} group by 1 order by 1 limit 1440`.execute(db),
    ]);
    return {
      totals: count(totals.rows[0] ?? { requests: 0, lsum: 0, lmax: null }),
      by_route: routes.rows.map((r) => ({ route: r.route, method: r.method, ...count(r) })),
      by_status: statuses.rows.map((r) => ({ status: Number(r.status), requests: rounded(r.requests) })),
      by_key: keys.rows.map((r) => ({ api_key_id: r.api_key_id || null, requests: rounded(r.requests) })),
      series: series.rows.map((r) => ({ at: Number(r.at), requests: rounded(r.requests) })),
    };
  }

  async deprecatedCallers(f: UsageFilter): Promise<DeprecatedCaller[]> {
    const res = await sql<{
      route: string;
      method: string;
      user_id: string;
      api_key_id: string;
      requests: number;
      last_minute: number;
    }>`select route, method, user_id, api_key_id, sum(requests) as requests, max(minute) as last_minute
      from usage_minutes where deprecated and ${this.#where(f)}
      group by route, method, user_id, api_key_id
      order by max(minute) desc, route, method, user_id, api_key_id limit 1000`.execute(this.#db.db);
    return res.rows.map((r) => ({
      route: r.route,
      method: r.method,
      user_id: r.user_id || null,
      api_key_id: r.api_key_id || null,
      requests: rounded(r.requests),
      last_minute: Number(r.last_minute),
    }));
  }

  async keyUsedByOther(apiKeyId: string, userId: string, w: UsageFilter): Promise<boolean> {
    const res = await sql`select 1 from usage_minutes
      where minute >= ${w.fromMinute} and minute < ${w.toMinute} and api_key_id = ${apiKeyId} and user_id <> ${userId}
      limit 1`.execute(this.#db.db);
    return res.rows.length > 0;
  }

  async prune(beforeMinute: number): Promise<number> {
    const res = await sql`delete from usage_minutes where minute < ${beforeMinute}`.execute(this.#db.db);
    return Number(res.numAffectedRows ?? 0);
  }

  async close(): Promise<void> {
    if (this.#own) await this.#db.close();
  }
}
