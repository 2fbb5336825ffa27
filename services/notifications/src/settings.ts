/** The service's environment, validated at start (a mistake names the variable). */
import { Type, type Static } from '@portico/kit';
import { DEFAULT_MAIL_SCHEDULE, DEFAULT_WEBHOOK_SCHEDULE, SCHEDULE_PATTERN } from './domain/schedule.ts';

export const Settings = Type.Object({
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description: 'smtp://user:pass@host:port (smtps:// for TLS); unset keeps mail in the dev mailbox',
    }),
  ),
  SMTP_FROM: Type.String({
    default: 'Portico <no-reply@portico.local>',
    description: 'From address of outgoing mail',
  }),
  PORTICO_WEBHOOK_ALLOW_PRIVATE: Type.Boolean({
    default: false,
    description:
      'true lets webhooks target private, loopback and link-local addresses (development and tests only)',
  }),
  PORTICO_WEBHOOK_RETRY_SCHEDULE: Type.String({
    default: DEFAULT_WEBHOOK_SCHEDULE,
    pattern: SCHEDULE_PATTERN,
    description: 'delay before each delivery attempt, e.g. 0,5s,5m,30m,2h,5h,10h,10h',
  }),
  PORTICO_WEBHOOK_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 120_000,
    default: 10_000,
    description: 'per-attempt timeout',
  }),
  PORTICO_WEBHOOK_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1_000,
    description: 'delivery queue poll interval',
  }),
  PORTICO_WEBHOOK_BATCH: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 10,
    description: 'deliveries claimed per poll',
  }),
  PORTICO_MAIL_RETRY_SCHEDULE: Type.String({
    default: DEFAULT_MAIL_SCHEDULE,
    pattern: SCHEDULE_PATTERN,
    description: 'delay before each SMTP attempt',
  }),
  PORTICO_MAIL_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1_000,
    description: 'mail queue poll interval',
  }),
  PORTICO_BULK_BATCH: Type.Integer({
    minimum: 1,
    maximum: 1_000,
    default: 100,
    description: 'recipients per bulk-send batch',
  }),
  PORTICO_BULK_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1_000,
    description: 'bulk job poll interval',
  }),
  PORTICO_SSE_HEARTBEAT_MS: Type.Integer({
    minimum: 50,
    maximum: 300_000,
    default: 15_000,
    description: 'SSE comment heartbeat interval',
  }),
});

export type NotificationSettings = Static<typeof Settings>;
