/**
 * notifications — every other service's events become notifications for the person concerned:
 * an in-app inbox with a live SSE stream, email over SMTP, and webhooks signed per Standard
 * Webhooks. Staff send messages to one user, to many (background jobs) or from templates.
 * See README.md for routes, channels, the webhook format and configuration.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import { consumers } from './consumers.ts';
import type { Deps } from './deps.ts';
import { Replica } from './replica.ts';
import { bulkRoutes } from './routes/bulk.ts';
import { devMailboxRoutes } from './routes/dev-mailbox.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { preferenceRoutes } from './routes/preferences.ts';
import { streamRoutes } from './routes/stream.ts';
import { templateRoutes } from './routes/templates.ts';
import { webhookDeliveryRoutes } from './routes/webhook-deliveries.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { Settings, type NotificationSettings } from './settings.ts';
import type { Database } from './tables.ts';

/** A definition (tests start several replicas; each start builds its own `Replica`). */
export function createNotificationsService() {
  return defineService<Database, NotificationSettings, {}, Replica>({
    name: 'notifications',
    version: '1.0.0',
    description: 'In-app notifications with a live stream, email, webhooks, templates and bulk sends.',
    migrations: new URL('./migrations/', import.meta.url),
    settings: Settings,
    publishes: [],
    consumers: consumers(),
    context: (deps) => new Replica(deps),
    routes(app, deps: Deps) {
      // Open streams would keep the HTTP server from closing: end them first (clients reconnect
      // with Last-Event-ID, to another replica or after the restart).
      app.addHook('preClose', (done) => {
        deps.context.closeStreams();
        done();
      });
      notificationRoutes(app, deps);
      bulkRoutes(app, deps);
      streamRoutes(app, deps);
      preferenceRoutes(app, deps);
      devMailboxRoutes(app, deps);
      templateRoutes(app, deps);
      webhookRoutes(app, deps);
      webhookDeliveryRoutes(app, deps);
    },
    async start(deps) {
      const replica = deps.context;
      await replica.start();
      deps.onClose(() => replica.stop());
    },
  });
}

export default createNotificationsService();
