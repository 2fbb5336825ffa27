/**
 * Writing gateway-made answers: RFC 9457 problem details (with `request_id`) and small JSON
 * bodies, with the headers the request has gathered so far (request id, security, rate-limit,
 * CORS, deprecation).
 */
import type { ServerResponse } from 'node:http';
import {
  problem,
  PROBLEM_CONTENT_TYPE,
  problemRegistry,
  type FieldError,
  type ProblemCode,
} from '@portico/kit';

export type HeaderList = [string, string][];

export function writeJson(
  res: ServerResponse,
  status: number,
  headers: HeaderList,
  body: unknown,
  contentType = 'application/json; charset=utf-8',
): void {
  const text = JSON.stringify(body);
  const out: Record<string, string | string[]> = {};
  mergeHeaders(out, headers);
  out['content-type'] = contentType;
  out['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, out);
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function writeProblem(
  res: ServerResponse,
  code: ProblemCode,
  init: {
    detail?: string;
    errors?: FieldError[];
    instance: string;
    requestId: string;
    headers: HeaderList;
    extensions?: Record<string, unknown>;
  },
): number {
  const body = problem(code, {
    instance: init.instance,
    requestId: init.requestId,
    ...(init.detail !== undefined && { detail: init.detail }),
    ...(init.errors !== undefined && { errors: init.errors }),
    ...(init.extensions !== undefined && { extensions: init.extensions }),
  });
  const status = problemRegistry[code].status;
  writeJson(res, status, init.headers, body, PROBLEM_CONTENT_TYPE);
  return status;
}

/** Adds a header list to an outgoing header object; `vary` and `link` accumulate. */
export function mergeHeaders(
  out: Record<string, string | string[] | number | undefined>,
  headers: HeaderList,
): void {
  for (let i = 0; i < headers.length; i++) {
    const [k, v] = headers[i]!;
    const prev = out[k];
    if (prev !== undefined && (k === 'vary' || k === 'link')) out[k] = `${String(prev)}, ${v}`;
    else out[k] = v;
  }
}
