/**
 * notifications — every other service's events become notifications for the person concerned:
 * an in-app inbox with a live SSE stream, email over SMTP, and webhooks signed per Standard
 * Webhooks. Staff send messages to one user, to many (background jobs) or from templates.
 * See README.md for routes, channels, the webhook format and configuration.
 */
import { defineService } from '@portico/kit';
import '@portico/contracts'; // registers the domains' error codes and role grants
import type { Database } from './tables.ts';
import { Settings, type NotificationSettings } from './settings.ts';
import { consumers } from './events.ts';
import { NotificationsInstance, type NotificationsDeps } from './instance.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { bulkRoutes } from './routes/bulk.ts';
import { streamRoutes } from './routes/stream.ts';
import { preferenceRoutes } from './routes/preferences.ts';
import { devMailboxRoutes } from './routes/dev-mailbox.ts';
import { templateRoutes } from './routes/templates.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/** A definition (tests start several replicas; each start builds its own instance). */
export function createNotificationsService() {
  return defineService<Database, NotificationSettings, {}, NotificationsInstance>({
    name: 'notifications',
    version: '1.0.0',
    description: 'In-app notifications with a live stream, email, webhooks, templates and bulk sends.',
    migrations: new URL('./migrations/', import.meta.url),
    settings: Settings,
    publishes: [],
    consumers: consumers(),
    context: (deps) => new NotificationsInstance(deps),
    routes(app, deps: NotificationsDeps) {
      const inst = deps.context;
      // Open streams would keep the HTTP server from closing: end them first (clients reconnect
      // with Last-Event-ID, to another replica or after the restart).
      app.addHook('preClose', (done) => {
        inst.closeStreams();
        done();
      });
      notificationRoutes(app, inst);
      bulkRoutes(app, inst);
      streamRoutes(app, inst);
      preferenceRoutes(app, inst);
      devMailboxRoutes(app, inst);
      templateRoutes(app, inst);
      webhookRoutes(app, inst);
    },
    async start(deps) {
      const inst = deps.context;
      await inst.start();
      deps.onClose(() => inst.stop());
    },
  });
}

export default createNotificationsService();
