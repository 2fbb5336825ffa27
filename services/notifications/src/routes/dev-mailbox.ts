/** The dev mailbox (admin): mail kept locally when no SMTP server is configured, and all sent mail. */
import { AppError, hasRole, PageOf, PageQuery, Type, listPage } from '@portico/kit';
import type { ServiceApp } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { mailboxQuery } from '../repository/emails.ts';
import { emailView } from '../views.ts';
import { DateTime, NullableDateTime } from './common.ts';

const EmailSchema = Type.Object({
  id: Type.String(),
  user_id: Type.Union([Type.String(), Type.Null()]),
  to: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('sent'),
    Type.Literal('failed'),
    Type.Literal('kept'),
  ]),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: DateTime,
  sent_at: NullableDateTime,
});

export function devMailboxRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/notifications/dev-mailbox',
    {
      config: { permission: 'notifications:read' },
      schema: {
        tags: ['notifications'],
        summary: 'Outgoing mail (admin)',
        description: 'Without SMTP_URL, mail is kept here (`status: kept`) instead of being sent.',
        querystring: Type.Object({
          ...PageQuery,
          to: Type.Optional(Type.String({ maxLength: 320 })),
          status: Type.Optional(
            Type.Union([
              Type.Literal('pending'),
              Type.Literal('sent'),
              Type.Literal('failed'),
              Type.Literal('kept'),
            ]),
          ),
        }),
        response: { 200: PageOf(EmailSchema) },
      },
    },
    async (req, reply) => {
      if (req.caller.auth !== 'service' && !hasRole(req.caller, 'admin'))
        throw new AppError('forbidden', 'Only admins may read the dev mailbox');
      return listPage(
        reply,
        mailboxQuery(deps.db, { to: req.query.to, status: req.query.status }),
        { sort: 'created_at', direction: 'desc' },
        emailView,
      );
    },
  );
}
