/** `GET /api/v1/audit-logs` (admin): the append-only audit log, newest first, keyset-paginated. */
import { PageOf, PageQuery, Type, type ServiceApp, listPage } from '@portico/kit';
import type { IdentityContext } from '../context.ts';
import { AuditEntry, AuditQuery } from '../schemas.ts';

interface AuditRow {
  id: string;
  time: Date;
  actor_id: string | null;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown> | string;
}

export function auditRoutes(app: ServiceApp, ctx: IdentityContext): void {
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
      let q = ctx.deps.db.selectFrom('audit_log').selectAll();
      if (actor_id) q = q.where('actor_id', '=', actor_id);
      if (action) q = q.where('action', '=', action);
      if (outcome) q = q.where('outcome', '=', outcome);
      if (from) q = q.where('time', '>=', new Date(from));
      if (to) q = q.where('time', '<', new Date(to));
      return listPage(reply, q, { sort: 'time', direction: 'desc' }, (r) => {
        const row = r as AuditRow;
        return {
          ...row,
          time: new Date(row.time).toISOString(),
          details:
            typeof row.details === 'string'
              ? (JSON.parse(row.details) as Record<string, unknown>)
              : row.details,
        };
      });
    },
  );
}
