/**
 * `/problems/{code}`: the page every problem's `type` points at (RFC 9457 §3.1.1 — a type URI
 * should resolve to documentation for people). Generated from the problem registry (the kit's
 * platform codes and every domain's, registered by `@portico/contracts`), so a new code has a
 * page the moment it is registered. HTML for a browser, `application/problem+json` for a
 * client that asks for JSON (proactive negotiation, RFC 9110 §12.5.1).
 */
// Registers every domain's codes before the pages are listed (importing it is what registers them).
import '@portico/contracts';
import { PROBLEM_CONTENT_TYPE, PROBLEM_PATH, problemType, registeredProblems } from '@portico/kit';
import type { ProblemCode } from '@portico/kit';

export interface ProblemPage {
  code: string;
  status: number;
  title: string;
  owner: string;
}

/** What a client can do about each kind of answer (docs/api-conventions.md, "Errors"). */
const ADVICE: Record<number, string> = {
  400: 'The request could not be read: fix its syntax (JSON, path, encoding) before retrying.',
  401: 'Send valid credentials: sign in again or refresh the access token.',
  403: 'The caller is known but not allowed: a role or API-key scope is missing. Retrying will not help.',
  404: 'No such resource, or not one the caller may see. Check the id.',
  405: 'The path exists but not with this method: see the Allow header.',
  409: 'The resource is in a state that forbids this change, or a unique value is taken. Read it again and decide.',
  410: 'The route was retired after its sunset date: move to its successor.',
  412: 'The resource changed since you read it: GET it again, reapply your change, and send the new ETag in If-Match.',
  413: 'The body is over the limit: send less.',
  415: 'Send the body as application/json.',
  422: 'The input breaks a rule: `errors` names each field and its code. Fix them and retry.',
  428: 'This change needs If-Match: GET the resource and send its ETag.',
  429: 'Too many requests: wait for Retry-After seconds.',
  431: 'The request headers are too large: send fewer or smaller ones.',
  500: 'The server failed. Quote the request_id when reporting it.',
  502: 'A service behind the gateway failed: retry later.',
  503: 'Temporarily unavailable: retry after Retry-After seconds.',
  504: 'A service behind the gateway took too long: retry later.',
};

/** `/problems`, `/problems/` (the index) and `/problems/{code}` for every registered code. */
export function isProblemPath(path: string): boolean {
  if (path === '/problems' || path === PROBLEM_PATH) return true;
  return path.startsWith(PROBLEM_PATH) && problemPages().some((p) => PROBLEM_PATH + p.code === path);
}

export function problemPages(): ProblemPage[] {
  return registeredProblems().map((p) => ({
    code: p.code,
    status: p.status,
    title: p.title,
    owner: p.domain,
  }));
}

/** The q value a media range gives a type (RFC 9110 §12.5.1), 0 when none matches. */
function quality(accept: string, type: string): number {
  const [major] = type.split('/');
  let best = -1;
  let q = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const specificity = range === type ? 3 : range === `${major}/*` ? 2 : range === '*/*' ? 1 : 0;
    if (specificity <= best || specificity === 0) continue;
    best = specificity;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q = qp ? Number(qp.slice(2)) || 0 : 1;
  }
  return q;
}

/** HTML only when the client prefers it to JSON; a tie (`*\/*`, no Accept) answers JSON. */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = Math.max(quality(accept, 'application/problem+json'), quality(accept, 'application/json'));
  return quality(accept, 'text/html') > json;
}

export function problemJson(page: ProblemPage): Record<string, unknown> {
  return {
    type: problemType(page.code as ProblemCode),
    code: page.code,
    title: page.title,
    status: page.status,
    owner: page.owner,
    description: ADVICE[page.status] ?? '',
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function problemHtml(page: ProblemPage): string {
  const advice = ADVICE[page.status];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(page.code)} — ${escape(page.title)} (Portico problem)</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .25em}</style>
</head>
<body>
<h1>${escape(page.title)}</h1>
<p>HTTP status <strong>${page.status}</strong> · code <code>${escape(page.code)}</code> · defined by ${escape(page.owner)}</p>
${advice ? `<p>${escape(advice)}</p>` : ''}
<p>Answers with this problem are <code>${PROBLEM_CONTENT_TYPE}</code> bodies (RFC 9457) whose <code>code</code>
is <code>${escape(page.code)}</code> and whose <code>type</code> is this page. Switch on <code>code</code>,
never on <code>title</code> or <code>detail</code>; every body carries a <code>request_id</code> to quote.</p>
<p><a href="${PROBLEM_PATH}">Every problem code</a> · <a href="/docs">API reference</a></p>
</body>
</html>
`;
}

export function problemIndexHtml(pages: readonly ProblemPage[]): string {
  const rows = pages
    .map(
      (p) =>
        `<tr><td><a href="${PROBLEM_PATH}${escape(p.code)}"><code>${escape(p.code)}</code></a></td><td>${p.status}</td><td>${escape(p.title)}</td><td>${escape(p.owner)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Portico problem codes</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem}td{padding:0 .75em}</style></head>
<body><h1>Problem codes</h1><table><thead><tr><th>code</th><th>status</th><th>title</th><th>owner</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

export const PROBLEM_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
