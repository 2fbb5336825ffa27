/** The service's tables as Kysely sees them (migrations/ is the source of truth). */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as a JSON string, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export type Channel = 'in_app' | 'email' | 'webhook';
export const CHANNELS: readonly Channel[] = ['in_app', 'email', 'webhook'];

export interface UsersTable {
  id: string;
  email: string | null;
  full_name: string | null;
  roles: Json<string[]>;
  roles_known: Generated<boolean>;
  status: string;
  updated_at: Timestamp;
}

export interface PreferencesTable {
  user_id: string;
  in_app: boolean;
  email: boolean;
  webhook: boolean;
  updated_at: Timestamp;
}

export interface UserSequencesTable {
  user_id: string;
  last_seq: number;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  seq: number;
  channel: Channel;
  type: string;
  title: string;
  body: string;
  data: ColumnType<unknown, string | null, string | null>;
  source_event_id: string | null;
  bulk_job_id: string | null;
  read_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface EmailsTable {
  id: string;
  user_id: string | null;
  notification_id: string | null;
  source_event_id: string | null;
  to_address: string;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed' | 'kept';
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: NullableTimestamp;
  last_error: string | null;
  message_id: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface TemplatesTable {
  id: string;
  name: string;
  description: string | null;
  channel: Channel;
  title: string;
  body: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BulkJobsTable {
  id: string;
  created_by: string | null;
  status: 'queued' | 'running' | 'completed';
  channel: Channel;
  title: string;
  body: string;
  template_id: string | null;
  role: string | null;
  total: number;
  sent: Generated<number>;
  failed: Generated<number>;
  skipped: Generated<number>;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
}

export interface BulkRecipientsTable {
  job_id: string;
  user_id: string;
  status: 'pending' | 'sent' | 'skipped' | 'failed';
  error: string | null;
}

export interface WebhookEndpointsTable {
  id: string;
  user_id: string;
  url: string;
  description: string | null;
  event_types: Json<string[]>;
  scope: 'own' | 'all';
  secret: string;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  user_id: string;
  message_id: string;
  event_type: string;
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: Generated<number>;
  schedule_pos: Generated<number>;
  next_attempt_at: NullableTimestamp;
  locked_until: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: NullableTimestamp;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  attempted_at: Timestamp;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  outcome: 'succeeded' | 'failed';
}

export interface Database {
  users: UsersTable;
  preferences: PreferencesTable;
  user_sequences: UserSequencesTable;
  notifications: NotificationsTable;
  emails: EmailsTable;
  templates: TemplatesTable;
  bulk_jobs: BulkJobsTable;
  bulk_recipients: BulkRecipientsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
