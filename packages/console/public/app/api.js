// The console's only way to the platform: same-origin calls to the gateway's public API.
//
// Tokens live in this module's memory only — never localStorage or sessionStorage, where any
// script injected into the page could read them (docs/console.md, "Session"). An answer 401 to a
// call made with an access token is retried once after the refresh flow (POST
// /api/v1/auth/refresh, which rotates the refresh token); a refresh that fails ends the session.
//
// Every call names the API version the console is written against (docs/versions.md), so a
// user pinned to an older version still gets the shapes these pages read.
export const API_VERSION = '2026-12-01';
let session = null;
let refreshing = null;
const listeners = new Set();

export function currentSession() {
  return session;
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setSession(next) {
  session = next;
  for (const fn of listeners) fn(session);
}

async function parse(res) {
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) return res.json();
  return res.text();
}

async function refresh() {
  if (!session) return false;
  refreshing ??= (async () => {
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refresh }),
    });
    if (!res.ok) {
      setSession(null);
      return false;
    }
    const body = await res.json();
    setSession({ ...session, access: body.access_token, refresh: body.refresh_token });
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Calls the API; resolves `{status, body, ok, etag}`. A problem body (RFC 9457) is in `body` when
 * not ok. `options.idempotent` sends an Idempotency-Key so a retried write happens once;
 * `options.ifMatch` sends `If-Match` (routes guarding grades, stock and invoices require it).
 */
export async function api(path, options = {}) {
  const send = () => {
    const headers = { accept: 'application/json', 'portico-version': API_VERSION };
    if (session) headers.authorization = `Bearer ${session.access}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotent) headers['idempotency-key'] = options.idempotent;
    if (options.ifMatch) headers['if-match'] = options.ifMatch;
    return fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  };
  let res = await send();
  if (res.status === 401 && session && (await refresh())) res = await send();
  return { status: res.status, ok: res.ok, etag: res.headers.get('etag'), body: await parse(res) };
}

/** `api` for reads that must succeed: throws the problem so a view can show it. */
export async function load(path, options) {
  const r = await api(path, options);
  if (!r.ok)
    throw Object.assign(new Error(r.body?.title ?? `HTTP ${r.status}`), {
      problem: r.body,
      status: r.status,
    });
  return r.body;
}

/**
 * Signs in; resolves null, or the problem. A problem with code `mfa_required` carries the
 * `mfa_token` to finish with `signInWithCode` (docs/mfa.md).
 */
export async function signIn(email, password) {
  return signInAt('/api/v1/auth/login', { email, password });
}

/** The second step for an account with an authenticator app: six digits, or a recovery code. */
export async function signInWithCode(mfaToken, code) {
  const value = code.trim();
  const field = /^\d{6}$/.test(value) ? 'code' : 'recovery_code';
  return signInAt('/api/v1/auth/login/mfa', { mfa_token: mfaToken, [field]: value });
}

async function signInAt(path, payload) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = await parse(res);
  if (!res.ok) return body;
  session = { access: body.access_token, refresh: body.refresh_token, user: body.user };
  const me = await api('/api/v1/auth/me');
  setSession({ ...session, user: me.ok ? me.body : body.user });
  return null;
}

/** Revokes the session at identity (POST /api/v1/auth/logout), then forgets the tokens. */
export async function signOut() {
  if (session)
    await api('/api/v1/auth/logout', { method: 'POST', body: { refresh_token: session.refresh } }).catch(
      () => {},
    );
  setSession(null);
}

/**
 * A server-sent event stream of the API, read with fetch: EventSource cannot send an
 * Authorization header. Parsed here (the HTML standard's "server-sent events" format: `event:`,
 * `id:`, `data:` lines, a blank line ends one) and handed on as `onEvent(type, data)`. Reconnects
 * after a drop — with `Last-Event-ID` when `resume` is set, so nothing is missed — and calls
 * `onState('live' | 'reconnecting')`; the returned `stop()` ends it.
 */
export function streamEvents(path, onEvent, { resume = false, onState = () => {} } = {}) {
  const abort = new AbortController();
  let lastId = null;
  let stopped = false;
  const run = async () => {
    while (!stopped && session) {
      try {
        if (await readStream()) continue;
      } catch {
        if (stopped) return;
      }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  const readStream = async () => {
    const headers = {
      accept: 'text/event-stream',
      authorization: `Bearer ${session.access}`,
      'portico-version': API_VERSION,
    };
    if (resume && lastId) headers['last-event-id'] = lastId;
    const res = await fetch(path, { headers, signal: abort.signal });
    if (res.status === 401) return refresh();
    if (!res.ok || !res.body) return false;
    onState('live');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        let event = 'message';
        const data = [];
        for (const line of block.split(/\r?\n/)) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('id:')) lastId = line.slice(3).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length) onEvent(event, JSON.parse(data.join('\n')));
      }
    }
  };
  void run();
  return () => {
    stopped = true;
    abort.abort();
  };
}

/** The caller's live notifications (GET /api/v1/notifications/stream), resumed after a drop. */
export function streamNotifications(onNotification) {
  return streamEvents(
    '/api/v1/notifications/stream',
    (event, data) => event === 'notification' && onNotification(data),
    { resume: true },
  );
}
