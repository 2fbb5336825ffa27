/**
 * The demo's HTTP client: the gateway's public API only, as a person's browser or script would
 * use it. Writes that depend on an event another service has not received yet are retried until
 * it has (`until`), so the demo works the same in both modes.
 */
export interface Answer {
  status: number;
  body: any;
  /** The `ETag` of the answer, when it has one. */
  etag: string | null;
}

/**
 * The API version the demo is written against (docs/versions.md): sent on every call, so the
 * demo works for an admin pinned to an older version too.
 */
export const DEMO_API_VERSION = '2026-12-01';

export class DemoClient {
  readonly base: string;
  readonly token: string | null;

  constructor(base: string, token: string | null = null) {
    this.base = base.replace(/\/$/, '');
    this.token = token;
  }

  as(token: string): DemoClient {
    return new DemoClient(this.base, token);
  }

  anonymous(): DemoClient {
    return new DemoClient(this.base, null);
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const h: Record<string, string> = {
      accept: 'application/json',
      'portico-version': DEMO_API_VERSION,
      ...headers,
    };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as unknown) : null,
      etag: res.headers.get('etag'),
    };
  }

  get = (path: string) => this.call('GET', path);
  post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    this.call('POST', path, body ?? {}, headers);
  put = (path: string, body: unknown) => this.call('PUT', path, body);

  /**
   * The answer when its status is one of `ok`, else an error naming the route and the problem.
   * With `ifMatchOf`, the write carries `If-Match` with the current ETag of that resource (routes
   * whose lost updates cost grades or stock require it).
   */
  async expect(
    method: string,
    path: string,
    body: unknown,
    ok: number[],
    ifMatchOf?: string,
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (ifMatchOf !== undefined) {
      const etag = (await this.expect('GET', ifMatchOf, undefined, [200])).etag;
      if (etag) headers['if-match'] = etag;
    }
    const r = await this.call(method, path, body, headers);
    if (!ok.includes(r.status))
      throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r;
  }

  /**
   * Repeats `attempt` until it returns a value (an event it waits for has arrived), for at most
   * `ms`; then fails with what the last answer said.
   */
  async until<T>(what: string, attempt: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await attempt();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`demo: gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** Every item of a cursor-paginated collection (docs/api-conventions.md, "Lists"). */
export async function listAll(client: DemoClient, path: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Answer = await client.expect(
      'GET',
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      undefined,
      [200],
    );
    out.push(...(page.body.data as unknown[]));
    cursor = page.body.next_cursor as string | null;
  } while (cursor);
  return out;
}

/** Creates a record, or finds the one an earlier run made (409) with `find`. */
export async function createOrFind(
  client: DemoClient,
  path: string,
  body: unknown,
  find: () => Promise<any>,
): Promise<any> {
  const r = await client.post(path, body);
  if (r.status === 201) return r.body;
  if (r.status === 409) {
    const found = await find();
    if (found) return found;
  }
  throw new Error(`POST ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
}
