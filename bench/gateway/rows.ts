/**
 * The rows of the gateway benchmark: Portico in each policy set (and worker count), the Node
 * peers, nginx and haproxy. Each row knows how to start its server and which wrk arguments it
 * needs; `porticoRows` lists the Portico rows' arguments for their `--before` twins.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOAD_CPU, PROXY_CPU, freePort, start } from './processes.ts';

export interface Row {
  id: string;
  name: string;
  start(): Promise<{ port: number; proc: ChildProcess }>;
  wrkArgs?: string[];
  warmArgs?: string[];
  skip?: string;
}

export interface RowContext {
  /** The run's scratch directory (configs, tokens, profiles). */
  dir: string;
  upstream: { port: number };
  /** The upstream's and identity's base URLs. */
  UP: string;
  ID: string;
  token: string;
  redisUp: boolean;
  /** The row id to CPU-profile, or ''. */
  PROFILE: string;
  HAVE_NGINX: boolean;
  HAVE_HAPROXY: boolean;
  WARM_TOKENS: number;
}

const HERE = import.meta.dirname;
const SERVERS = join(HERE, 'servers');
const node = process.execPath;

export function benchRows(c: RowContext) {
  const { dir, upstream, UP, ID, token, redisUp, PROFILE, HAVE_NGINX, HAVE_HAPROXY, WARM_TOKENS } = c;
  const portico =
    (mode: string, extra: string[] = [], id = '', servers = SERVERS, cpu = PROXY_CPU) =>
    () =>
      start(cpu, node, [
        ...(PROFILE && PROFILE === id ? ['--cpu-prof', '--cpu-prof-dir', dir] : []),
        join(servers, 'portico.ts'),
        '--mode',
        mode,
        '--upstream',
        UP,
        '--identity',
        ID,
        ...extra,
      ]);
  const bearer = ['-H', `Authorization: Bearer ${token}`];
  /** The JWT row (reused token) with the server's feature flags. */
  const jwtRow = (id: string, name: string, flags: string[]): Row => ({
    id,
    name,
    start: portico('jwt', flags, id),
    wrkArgs: bearer,
  });
  const freshArgs = [
    '-s',
    join(HERE, 'fresh-tokens.lua'),
    '--',
    join(dir, 'tokens.txt'),
    String(WARM_TOKENS + 1),
  ];
  const freshWarm = ['-s', join(HERE, 'fresh-tokens.lua'), '--', join(dir, 'tokens.txt'), '1'];

  /** The Portico rows' server arguments, for their `--before` twins. */
  const porticoRows = new Map<string, { mode: string; extra: string[] }>([
    ['portico-plain', { mode: 'plain', extra: [] }],
    ['portico-jwt', { mode: 'jwt', extra: [] }],
    ['portico-jwt-fresh', { mode: 'jwt', extra: [] }],
    ['portico-apikey', { mode: 'apikey', extra: [] }],
    ['portico-jwt-redis', { mode: 'jwt', extra: ['--redis', 'redis://127.0.0.1:6379'] }],
    ['portico-jwt-compress', { mode: 'jwt', extra: ['--compression'] }],
    ['portico-jwt-accesslog', { mode: 'jwt', extra: ['--access-log'] }],
    ['portico-jwt-product', { mode: 'jwt', extra: ['--product'] }],
    ['portico-jwt-redis-product', { mode: 'jwt', extra: ['--product', '--redis', 'redis://127.0.0.1:6379'] }],
  ]);

  const nginxRow = (id: string, workers: number, cpu: string): Row => ({
    id,
    name: `nginx (proxy_pass, keepalive upstream, ${workers} worker${workers > 1 ? 's' : ''}${workers > 1 ? ', CPUs 0-1' : ''})`,
    ...(!HAVE_NGINX && { skip: 'nginx is not installed (apt-get install -y nginx-light)' }),
    start: async () => {
      const port = await freePort();
      const conf = join(dir, `${id}.conf`);
      await writeFile(
        conf,
        `user root; worker_processes ${workers}; daemon off; pid ${dir}/${id}.pid; error_log ${dir}/${id}-error.log;
  events { worker_connections 4096; }
  http { access_log off; keepalive_requests 10000000;
    client_body_temp_path ${dir}/p1; proxy_temp_path ${dir}/p2; fastcgi_temp_path ${dir}/p3; uwsgi_temp_path ${dir}/p4; scgi_temp_path ${dir}/p5;
    upstream up { server 127.0.0.1:${upstream.port}; keepalive 128; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
  `,
      );
      return await start(cpu, 'nginx', ['-p', dir, '-c', conf], { port });
    },
  });

  const rows: Row[] = [
    { id: 'portico-plain', name: 'Portico, no policies', start: portico('plain', [], 'portico-plain') },
    {
      id: 'portico-jwt',
      name: 'Portico, JWT ES256 (reused) + rate limit + passport',
      start: portico('jwt', [], 'portico-jwt'),
      wrkArgs: bearer,
    },
    {
      id: 'portico-jwt-fresh',
      name: 'Portico, JWT ES256 fresh per request + rate limit + passport',
      start: portico('jwt', [], 'portico-jwt-fresh'),
      wrkArgs: freshArgs,
      warmArgs: freshWarm,
    },
    {
      id: 'portico-apikey',
      name: 'Portico, API key + rate limit + passport',
      start: portico('apikey'),
      wrkArgs: ['-H', 'X-API-Key: pk_live_bench'],
    },
    // Compression on, the client accepting gzip and br, the answer (~80 bytes) under the threshold:
    // what the negotiation costs an answer it does not compress (docs/benchmarks.md).
    {
      id: 'portico-jwt-compress',
      name: 'Portico, JWT (reused) + rate limit + passport, compression on (small answer, not compressed)',
      start: portico('jwt', ['--compression'], 'portico-jwt-compress'),
      wrkArgs: [...bearer, '-H', 'Accept-Encoding: gzip, br'],
    },
    // The access log on (a JSON line per request at info, written asynchronously to /dev/null as
    // to a pipe): what logging costs (docs/benchmarks.md). The other rows run with it off.
    jwtRow('portico-jwt-accesslog', 'Portico, JWT (reused) + rate limit + passport, access log on', [
      '--access-log',
    ]),
    // The API-product features on as a deployment runs them (plan check, usage recording to
    // PostgreSQL, access log): what they cost the JWT row (docs/benchmarks.md).
    jwtRow(
      'portico-jwt-product',
      'Portico, JWT (reused) + rate limit + passport + plan + usage recording + access log',
      ['--product'],
    ),
    // The two halves of the row above alone, to attribute its cost.
    jwtRow('portico-jwt-plan', 'Portico, JWT (reused) + rate limit + passport + plan', ['--plan']),
    jwtRow('portico-jwt-usage', 'Portico, JWT (reused) + rate limit + passport + usage recording', [
      '--usage',
    ]),
    {
      id: 'portico-jwt-redis',
      name: 'Portico, JWT (reused) + rate limit in Redis + passport',
      start: portico('jwt', ['--redis', 'redis://127.0.0.1:6379'], 'portico-jwt-redis'),
      wrkArgs: bearer,
      ...(!redisUp && { skip: 'Redis is not reachable on 127.0.0.1:6379' }),
    },
    {
      id: 'portico-jwt-redis-product',
      name: 'Portico, JWT (reused) + rate limit and plan in Redis + passport + usage recording + access log',
      start: portico('jwt', ['--product', '--redis', 'redis://127.0.0.1:6379'], 'portico-jwt-redis-product'),
      wrkArgs: bearer,
      ...(!redisUp && { skip: 'Redis is not reachable on 127.0.0.1:6379' }),
    },
    // Worker threads (docs/gateway.md "Workers"): 1 and 2 workers side by side, the proxy free to
    // run on both CPUs (wrk and the upstream still on CPU 1, so 2 workers share it with them).
    {
      id: 'portico-jwt-w1',
      name: 'Portico, JWT (reused) + rate limit + passport, 1 worker, proxy on CPUs 0-1',
      start: portico('jwt', [], 'portico-jwt-w1', SERVERS, `${PROXY_CPU},${LOAD_CPU}`),
      wrkArgs: bearer,
    },
    {
      id: 'portico-jwt-w2',
      name: 'Portico, JWT (reused) + rate limit + passport, 2 workers (shared-memory limits), proxy on CPUs 0-1',
      start: portico('jwt', ['--workers', '2'], 'portico-jwt-w2', SERVERS, `${PROXY_CPU},${LOAD_CPU}`),
      wrkArgs: bearer,
    },
    {
      id: 'portico-jwt-redis-w2',
      name: 'Portico, JWT (reused) + rate limit in Redis + passport, 2 workers, proxy on CPUs 0-1',
      start: portico(
        'jwt',
        ['--workers', '2', '--redis', 'redis://127.0.0.1:6379'],
        'portico-jwt-redis-w2',
        SERVERS,
        `${PROXY_CPU},${LOAD_CPU}`,
      ),
      wrkArgs: bearer,
      ...(!redisUp && { skip: 'Redis is not reachable on 127.0.0.1:6379' }),
    },
    {
      id: 'undici',
      name: 'minimal undici proxy (Node floor)',
      start: () => start(PROXY_CPU, node, [join(SERVERS, 'undici-proxy.ts'), '--upstream', UP]),
    },
    {
      id: 'undici-headers',
      name: "minimal undici proxy + Portico's header volume (reference)",
      start: () => start(PROXY_CPU, node, [join(SERVERS, 'undici-proxy.ts'), '--upstream', UP, '--headers']),
      wrkArgs: bearer,
    },
    {
      id: 'fastify',
      name: '@fastify/http-proxy',
      start: () => start(PROXY_CPU, node, [join(SERVERS, 'fastify-proxy.ts'), '--upstream', UP]),
    },
    {
      id: 'fastify-jwt-fresh',
      name: '@fastify/http-proxy + jose ES256, fresh token per request',
      start: () =>
        start(PROXY_CPU, node, [
          ...(PROFILE === 'fastify-jwt-fresh' ? ['--cpu-prof', '--cpu-prof-dir', dir] : []),
          join(SERVERS, 'fastify-proxy.ts'),
          '--upstream',
          UP,
          '--jwks',
          `${ID}/.well-known/jwks.json`,
        ]),
      wrkArgs: freshArgs,
      warmArgs: freshWarm,
    },
    {
      id: 'fast-gateway',
      name: 'fast-gateway 3.4.7',
      start: () => start(PROXY_CPU, node, [join(SERVERS, 'fast-gateway.ts'), '--upstream', UP]),
    },
    nginxRow('nginx', 1, PROXY_CPU),
    // The 2-worker peer of Portico's 2-worker row: free on both CPUs like it.
    nginxRow('nginx-w2', 2, `${PROXY_CPU},${LOAD_CPU}`),
    {
      id: 'haproxy',
      name: 'haproxy (http mode, 1 thread)',
      ...(!HAVE_HAPROXY && { skip: 'haproxy is not installed (apt-get install -y haproxy)' }),
      start: async () => {
        const port = await freePort();
        await writeFile(
          join(dir, 'haproxy.cfg'),
          `global
    nbthread 1
    maxconn 4000
  defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    http-reuse always
  frontend fe
    bind 127.0.0.1:${port}
    default_backend be
  backend be
    server s1 127.0.0.1:${upstream.port} maxconn 128
  `,
        );
        return await start(PROXY_CPU, 'haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { port });
      },
    },
  ];
  return { rows, porticoRows, portico, bearer };
}
