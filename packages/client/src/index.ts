/**
 * A typed client for the Portico API: openapi-fetch over the types generated from the gateway's
 * `/openapi.json` (`src/schema.ts`, `npm run client:generate`). Paths, parameters, bodies and
 * answers are checked by the compiler against the document the gateway serves.
 *
 *   const api = createPorticoClient('http://127.0.0.1:8000', () => token);
 *   const { data, error } = await api.GET('/api/v1/orders/{id}', { params: { path: { id } } });
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.ts';

export type { paths, components, operations } from './schema.ts';
export type PorticoClient = Client<paths>;

/** `token()` is asked before each request, so a refreshed access token is used at once. */
export function createPorticoClient(baseUrl: string, token?: () => string | null | undefined): PorticoClient {
  const client = createClient<paths>({ baseUrl });
  if (token)
    client.use({
      onRequest({ request }) {
        const t = token();
        if (t) request.headers.set('authorization', `Bearer ${t}`);
        return request;
      },
    });
  return client;
}
