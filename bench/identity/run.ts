/**
 * identity's benchmark, one command: `npx node bench/identity/run.ts` (Node 24 via npx).
 *
 * Measures, on ONE core (the measuring process is pinned with `taskset -c 0` and runs argon2
 * with UV_THREADPOOL_SIZE=1, so hashing cannot spread over the pool):
 *   - logins/s: POST /api/v1/auth/login over HTTP with a passport (argon2id 19 MiB, t=2, p=1),
 *   - refreshes/s: POST /api/v1/auth/refresh (rotation: one conditional update + inserts),
 *   - token verifications/s: jose ES256 `jwtVerify` of identity's access tokens against its
 *     JWKS (what the gateway does for a token it has not cached), and a bare argon2 verify/s.
 * The service runs in-process on embedded storage (PGlite, in memory) and, when PostgreSQL is
 * reachable, again on PostgreSQL. Load stays on 127.0.0.1 and every phase is bounded in time.
 *
 * Writes the results under "## Identity" in docs/benchmarks.md (other sections untouched).
 * Options: --seconds N per phase (default 6), --no-write, --db pglite|postgres|both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
};
const seconds = Number(opt('seconds', '6'));

interface Result {
  db: string;
  logins_per_s: number;
  login_p50_ms: number;
  refreshes_per_s: number;
  refresh_p50_ms: number;
  verifications_per_s: number;
  argon2_verifies_per_s: number;
}

if (argv.includes('--worker')) {
  const r = await worker(opt('db', 'pglite'), seconds);
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  const wanted = opt('db', 'both');
  const dbs = wanted === 'both' ? ['pglite', ...((await postgresUp()) ? ['postgres'] : [])] : [wanted];
  const pinned = spawnSync('taskset', ['--version']).status === 0;
  const results: Result[] = [];
  for (const db of dbs) {
    const cmd = pinned ? 'taskset' : process.execPath;
    const args = [
      ...(pinned ? ['-c', '0', process.execPath] : []),
      fileURLToPath(import.meta.url),
      '--worker',
      '--db',
      db,
      '--seconds',
      String(seconds),
    ];
    console.error(
      `identity bench: ${db}${pinned ? ' (pinned to CPU 0)' : ' (not pinned: taskset missing)'} …`,
    );
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(cmd, args, {
        env: { ...process.env, UV_THREADPOOL_SIZE: '1', PORTICO_LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      p.stdout.on('data', (d: Buffer) => (text += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`worker exited ${code}`))));
    });
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`no result from the ${db} run`);
    results.push(JSON.parse(line.slice(7)) as Result);
  }
  const table = render(results, pinned);
  console.log(table);
  if (!argv.includes('--no-write')) await writeSection(table);
}

async function postgresUp(): Promise<boolean> {
  const { serverUnavailable } = await import('@portico/kit/testing');
  return (await serverUnavailable('postgres').catch(() => 'no')) === null;
}

function render(results: Result[], pinned: boolean): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    '## Identity',
    '',
    `Measured by \`npx node bench/identity/run.ts\` on ${new Date().toISOString().slice(0, 10)}, ${cpu}, Node ${process.version},`,
    `${pinned ? 'the measuring process pinned to one core (`taskset -c 0`)' : 'not pinned (taskset missing)'} with \`UV_THREADPOOL_SIZE=1\`;`,
    `${seconds} s per phase; the service in-process, called over HTTP on 127.0.0.1 with a passport (no gateway).`,
    'PGlite runs inside the pinned process; a PostgreSQL server runs in its own processes (not pinned).',
    '',
    '| storage | logins/s | login p50 | refreshes/s | refresh p50 | ES256 token verifications/s | argon2id verifies/s |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.db} | ${r.logins_per_s} | ${r.login_p50_ms} ms | ${r.refreshes_per_s} | ${r.refresh_p50_ms} ms | ${r.verifications_per_s} | ${r.argon2_verifies_per_s} |`,
    ),
    '',
    '- Logins are bound by argon2id (19 MiB, 2 iterations, parallelism 1 — OWASP): one core verifies',
    '  about as many passwords per second as the argon2 column says, and a login costs one verify. More cores',
    '  (UV_THREADPOOL_SIZE ≥ cores) or more identity replicas scale it linearly; the per-(IP, email) throttle',
    '  keeps an attacker from spending that budget on one account.',
    '- A refresh is one transaction: look up the hash, one conditional update (`… where used_at is null`),',
    '  one insert, an audit row, and an ES256 signature.',
    '- Token verifications are what the gateway spends per uncached token (jose `jwtVerify`, ES256, with',
    '  iss/aud/alg checks); the gateway caches verified claims until expiry, so steady traffic pays it once per token.',
    '',
  ];
  return lines.join('\n');
}

async function writeSection(section: string): Promise<void> {
  const file = path.join(root, 'docs/benchmarks.md');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\n';
  }
  const start = text.search(/^## Identity\s*$/m);
  if (start < 0) {
    text = text.replace(/\n*$/, '\n\n') + section;
  } else {
    const rest = text.slice(start + 1);
    const next = rest.search(/^## /m);
    const end = next < 0 ? text.length : start + 1 + next;
    text = text.slice(0, start) + section + (next < 0 ? '' : '\n' + text.slice(end));
  }
  await writeFile(file, text.replace(/\n{3,}/g, '\n\n'));
  console.error(`written under "## Identity" in ${path.relative(root, file)}`);
}

// ---------------------------------------------------------------------------------------------
// The worker: runs in the pinned process.

async function worker(db: string, secs: number): Promise<Result> {
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  const { Pool } = await import('undici');
  const { verify } = await import('@node-rs/argon2');
  const kit = { ...(await import('@portico/kit')), ...(await import('@portico/kit/runtime')) };
  const contracts = await import('@portico/contracts');
  const testing = await import('@portico/kit/testing');
  const identity = (await import('@portico/identity')).default;

  const testDb = await testing.openTestDatabase(db as 'pglite' | 'postgres');
  const bus = new kit.MemoryBus();
  const secret = randomBytes(32).toString('hex');
  const svc = await kit.startService(identity, {
    db: testDb.provider,
    bus,
    passportSecret: secret,
    logger: kit.createLogger({ level: 'silent' }),
    env: {
      PORTICO_ADMIN_PASSWORD: 'bench-admin-passphrase',
      IDENTITY_KEY_ACTIVATION_DELAY_SECONDS: '0',
    },
    dataDir: path.join(os.tmpdir(), `identity-bench-${randomBytes(4).toString('hex')}`),
  });
  const key = kit.derivePassportKey(secret, 'identity');
  const passport = kit.mintPassport(key, 'identity', kit.anonymousCaller, { ttlSeconds: 3600 }).token;
  const pool = new Pool(svc.url, { connections: 32 });
  const post = async (p: string, body: unknown) => {
    const res = await pool.request({
      method: 'POST',
      path: p,
      headers: { 'content-type': 'application/json', 'x-portico-passport': passport },
      body: JSON.stringify(body),
    });
    const json = (await res.body.json()) as Record<string, any>;
    return { status: res.statusCode, body: json };
  };

  const users = Array.from({ length: 16 }, (_, i) => ({
    email: `bench${i}@example.test`,
    password: `bench-passphrase-${i}-xyz`,
  }));
  for (const u of users) await post('/api/v1/auth/register', { ...u, full_name: 'Bench' });

  // Closed loop with a fixed number of clients; counts successes within the window.
  const loop = async (clients: number, fn: (client: number) => Promise<boolean>) => {
    const lat: number[] = [];
    let ok = 0;
    const end = performance.now() + secs * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (performance.now() < end) {
          const t = performance.now();
          if (await fn(c)) {
            ok++;
            lat.push(performance.now() - t);
          }
        }
      }),
    );
    lat.sort((a, b) => a - b);
    return {
      perSecond: Math.round(ok / secs),
      p50: Math.round((lat[Math.floor(lat.length / 2)] ?? 0) * 10) / 10,
    };
  };

  const logins = await loop(
    4,
    async (c) => (await post('/api/v1/auth/login', users[c % users.length])).status === 200,
  );

  const chains: string[] = [];
  for (const u of users)
    chains.push(((await post('/api/v1/auth/login', u)).body.refresh_token as string) ?? '');
  const refreshes = await loop(8, async (c) => {
    const r = await post('/api/v1/auth/refresh', { refresh_token: chains[c]! });
    if (r.status !== 200) return false;
    chains[c] = r.body.refresh_token as string;
    return true;
  });

  const login = await post('/api/v1/auth/login', users[0]);
  const token = login.body.access_token as string;
  const jwksRes = await pool.request({ method: 'GET', path: '/.well-known/jwks.json' });
  const jwks = createLocalJWKSet((await jwksRes.body.json()) as never);
  let verifications = 0;
  const vEnd = performance.now() + secs * 1000;
  while (performance.now() < vEnd) {
    for (let i = 0; i < 200; i++)
      await jwtVerify(token, jwks, {
        issuer: contracts.TOKEN_ISSUER,
        audience: contracts.TOKEN_AUDIENCE,
        algorithms: ['ES256'],
      });
    verifications += 200;
  }

  const stored = (await testDb.provider.forService('identity')).db;
  const hash = (await stored
    .selectFrom('users')
    .select('password_hash')
    .where('email', '=', users[0]!.email)
    .executeTakeFirstOrThrow()) as { password_hash: string };
  let argon = 0;
  const aEnd = performance.now() + secs * 1000;
  while (performance.now() < aEnd) {
    await verify(hash.password_hash, users[0]!.password);
    argon++;
  }

  await pool.close();
  await svc.stop();
  await bus.close();
  await testDb.cleanup();
  return {
    db,
    logins_per_s: logins.perSecond,
    login_p50_ms: logins.p50,
    refreshes_per_s: refreshes.perSecond,
    refresh_p50_ms: refreshes.p50,
    verifications_per_s: Math.round(verifications / secs),
    argon2_verifies_per_s: Math.round(argon / secs),
  };
}
