/**
 * One running copy of the service (a replica): its live streams, its workers, its webhook
 * sender and mailer. Created by the definition's `context` (the kit hands it to routes, start
 * and consumers as `deps.context`), started by `start(deps)`, and stopped at shutdown —
 * streams first, so the HTTP server can close.
 */
import { PollingWorker, type ServiceDeps } from '@portico/kit';
import type { Deps } from './deps.ts';
import type { Database } from './tables.ts';
import type { NotificationSettings } from './settings.ts';
import { StreamHub } from './delivery/sse.ts';
import { WebhookSender } from './delivery/webhook-sender.ts';
import { smtpMailer, type Mailer } from './delivery/mailer.ts';
import { bulkTick } from './workers/bulk-worker.ts';
import { mailTick } from './workers/mail-worker.ts';
import { webhookTick } from './workers/webhook-worker.ts';
import { parseSchedule } from './domain/schedule.ts';
import type { Effects } from './commands/dispatch.ts';

/** The bus channel on which stored notifications are announced to every replica's streams. */
export const STREAM_CHANNEL = 'notifications.stream';

export interface Announcement {
  items: { user_id: string; seq: number }[];
}

function isAnnouncement(p: unknown): p is Announcement {
  return !!p && typeof p === 'object' && Array.isArray((p as Announcement).items);
}

export class Replica {
  readonly deps: Deps;
  readonly hub = new StreamHub();
  readonly webhookSchedule: number[];
  readonly sender: WebhookSender;
  readonly mailer: Mailer | null;
  readonly bulk: PollingWorker;
  readonly mail: PollingWorker;
  readonly webhooks: PollingWorker;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: ServiceDeps<Database, NotificationSettings, {}, undefined>) {
    // The same object: the kit sets `deps.context` to this replica.
    this.deps = deps as unknown as Deps;
    const s = deps.settings;
    this.webhookSchedule = parseSchedule(s.PORTICO_WEBHOOK_RETRY_SCHEDULE);
    this.sender = new WebhookSender({
      allowPrivate: s.PORTICO_WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: s.PORTICO_WEBHOOK_TIMEOUT_MS,
    });
    this.mailer = s.SMTP_URL ? smtpMailer(s.SMTP_URL, s.SMTP_FROM) : null;
    const log = deps.log;
    this.bulk = new PollingWorker(
      'bulk',
      bulkTick({
        db: deps.db,
        batch: s.PORTICO_BULK_BATCH,
        webhookDelayMs: this.webhookDelayMs,
        apply: (e) => this.apply(e),
      }),
      { pollMs: s.PORTICO_BULK_POLL_MS, log },
    );
    this.mail = new PollingWorker(
      'mail',
      mailTick(deps.db, this.mailer, parseSchedule(s.PORTICO_MAIL_RETRY_SCHEDULE), log),
      {
        pollMs: s.PORTICO_MAIL_POLL_MS,
        log,
      },
    );
    this.webhooks = new PollingWorker(
      'webhooks',
      webhookTick({
        db: deps.db,
        sender: this.sender,
        schedule: this.webhookSchedule,
        batch: s.PORTICO_WEBHOOK_BATCH,
        timeoutMs: s.PORTICO_WEBHOOK_TIMEOUT_MS,
        log,
      }),
      { pollMs: s.PORTICO_WEBHOOK_POLL_MS, log },
    );
  }

  /** Delay before a new delivery's first attempt (the schedule's first step). */
  get webhookDelayMs(): number {
    return this.webhookSchedule[0] ?? 0;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.deps.bus.onBroadcast(STREAM_CHANNEL, (p) => {
      if (!isAnnouncement(p)) return;
      for (const i of p.items)
        if (typeof i.user_id === 'string' && typeof i.seq === 'number') this.hub.wake(i.user_id, i.seq);
    });
    this.bulk.start();
    this.mail.start();
    this.webhooks.start();
  }

  /** Tells every replica's streams about stored notifications. */
  announce(items: Announcement['items']): void {
    if (items.length === 0) return;
    const payload: Announcement = { items };
    this.deps.bus
      .broadcast(STREAM_CHANNEL, payload)
      .catch((err: unknown) => this.deps.log.warn({ err }, 'stream announcement failed'));
  }

  /** Applies a committed transaction's effects. `delayMs` > 0 when the commit may still be under way. */
  apply(effects: Effects, delayMs = 0): void {
    this.announce(effects.announced);
    if (effects.mail) this.mail.nudge(delayMs);
    if (effects.webhooks) this.webhooks.nudge(delayMs);
  }

  /** Ends the live streams (before the HTTP server waits for open connections). */
  closeStreams(): void {
    this.hub.closeAll();
  }

  async stop(): Promise<void> {
    this.closeStreams();
    this.#unsubscribe?.();
    await Promise.all([this.bulk.stop(), this.mail.stop(), this.webhooks.stop()]);
    await this.sender.close();
    this.mailer?.close();
  }
}
