/**
 * Action POSTs (`/dispatch`, `/deliver`) take no body or `{}`; the body schema still rejects
 * unknown fields. Fastify validates a missing body against the object schema and fails, so a
 * missing body is read as `{}` before validation.
 */
export async function optionalBody(req: { body: unknown }): Promise<void> {
  if (req.body === undefined || req.body === null) req.body = {};
}
