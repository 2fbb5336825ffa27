/** `GET /api/v1/audit-logs` (admin): the append-only audit log, newest first, keyset-paginated. */
import { PageOf, PageQuery, Type, type ServiceApp, listPage } from '@portico/kit';
import type { Deps } from '../deps.ts';
import { auditLogQuery } from '../repository/audit-log.ts';
import { auditEntryView } from '../views.ts';
import { AuditEntry, AuditQuery } from './schemas.ts';

export function auditRoutes(app: ServiceApp, deps: Deps): void {
  app.get(
    '/api/v1/audit-logs',
    {
      config: { permission: 'audit-logs:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit log entries (admin), newest first',
        querystring: Type.Object({ ...PageQuery, ...AuditQuery.properties }),
        response: { 200: PageOf(AuditEntry) },
      },
    },
    async (req, reply) => {
      const { actor_id, action, outcome, from, to } = req.query;
      const q = auditLogQuery(deps.db, { actor_id, action, outcome, from, to });
      return listPage(reply, q, { sort: 'time', direction: 'desc' }, auditEntryView);
    },
  );
}
