/**
 * The body of `POST /api/v1/batch`: `{operations: [{method, path, headers?, body?}]}`, checked
 * field by field so every refusal is a 422 naming the field (`operations`,
 * `operations.3.path`, `operations.0.headers.authorization`). Operations cannot carry their own
 * credentials (each runs with the batch's) nor hop-by-hop or framing fields (the gateway frames
 * each operation itself), and cannot name the batch endpoint (no nested batches) or the
 * gateway's own routes (health, metrics, docs are not API operations).
 */
import type { FieldError } from '@portico/kit';

export const BATCH_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type BatchMethod = (typeof BATCH_METHODS)[number];

export interface Operation {
  method: BatchMethod;
  /** Path and query, as a request line would carry them. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The JSON body, serialised; null without one. */
  body: Buffer | null;
}

/** What the batch step tells the checker about the running config. */
export interface OperationRules {
  maxOperations: number;
  /** The API-key header (lower case): a credential, so an operation cannot set it. */
  apiKeyHeader: string;
  /** Why a path cannot be an operation (the batch route, an own route), or null. */
  refusePath(path: string): string | null;
}

/** Fields an operation may not set: credentials are the batch's, framing is the gateway's. */
const FORBIDDEN_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  // The batch's answer may be compressed as a whole; an operation's is captured as is.
  'accept-encoding',
]);
/** RFC 9110 §5.1 field name (token) and a field value without control characters (§5.5). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const OPERATION_FIELDS = new Set(['method', 'path', 'headers', 'body']);
const MAX_PATH = 8192;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkHeaders(v: unknown, at: string, rules: OperationRules, errors: FieldError[]) {
  const out: Record<string, string> = {};
  if (v === undefined) return out;
  if (!isObject(v)) {
    errors.push({ field: at, code: 'type', message: 'must be an object of header names to strings' });
    return out;
  }
  for (const [name, value] of Object.entries(v)) {
    const lower = name.toLowerCase();
    const field = `${at}.${lower}`;
    if (!TOKEN.test(name)) errors.push({ field, code: 'format', message: 'is not a valid header name' });
    else if (FORBIDDEN_HEADERS.has(lower) || lower === rules.apiKeyHeader)
      errors.push({
        field,
        code: 'not_allowed',
        message: 'cannot be set on an operation (credentials and framing are the batch’s)',
      });
    else if (typeof value !== 'string' || !FIELD_VALUE.test(value))
      errors.push({ field, code: 'type', message: 'must be a string without control characters' });
    else out[lower] = value;
  }
  return out;
}

function checkOperation(
  v: unknown,
  i: number,
  rules: OperationRules,
  errors: FieldError[],
): Operation | null {
  const at = `operations.${i}`;
  if (!isObject(v)) {
    errors.push({ field: at, code: 'type', message: 'must be an object {method, path, headers?, body?}' });
    return null;
  }
  const before = errors.length;
  for (const k of Object.keys(v))
    if (!OPERATION_FIELDS.has(k))
      errors.push({ field: `${at}.${k}`, code: 'unknown_field', message: 'is not a known field' });
  const method = v.method;
  if (method === undefined) errors.push({ field: `${at}.method`, code: 'required', message: 'is required' });
  else if (!(BATCH_METHODS as readonly unknown[]).includes(method))
    errors.push({
      field: `${at}.method`,
      code: 'enum',
      message: `must be one of ${BATCH_METHODS.join(', ')}`,
    });
  const path = v.path;
  if (path === undefined) errors.push({ field: `${at}.path`, code: 'required', message: 'is required' });
  else if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_PATH || /[\s#]/.test(path))
    errors.push({
      field: `${at}.path`,
      code: 'format',
      message: `must be an absolute path (with its query) of at most ${MAX_PATH} characters`,
    });
  else {
    const refused = rules.refusePath(path);
    if (refused !== null) errors.push({ field: `${at}.path`, code: 'not_allowed', message: refused });
  }
  const headers = checkHeaders(v.headers, `${at}.headers`, rules, errors);
  if (v.body !== undefined && (method === 'GET' || method === 'HEAD'))
    errors.push({ field: `${at}.body`, code: 'not_allowed', message: `a ${method} operation has no body` });
  if (errors.length > before) return null;
  const body = v.body === undefined ? null : Buffer.from(JSON.stringify(v.body));
  if (body !== null) headers['content-type'] ??= 'application/json';
  return { method: method as BatchMethod, path: path as string, headers, body };
}

/** The operations of a batch body, or the field errors that refuse it. */
export function parseOperations(
  doc: unknown,
  rules: OperationRules,
): { ok: true; operations: Operation[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!isObject(doc)) {
    errors.push({ field: 'body', code: 'type', message: 'must be an object {operations: [...]}' });
    return { ok: false, errors };
  }
  for (const k of Object.keys(doc))
    if (k !== 'operations') errors.push({ field: k, code: 'unknown_field', message: 'is not a known field' });
  const list = doc.operations;
  if (list === undefined) errors.push({ field: 'operations', code: 'required', message: 'is required' });
  else if (!Array.isArray(list))
    errors.push({ field: 'operations', code: 'type', message: 'must be an array' });
  else if (list.length === 0)
    errors.push({ field: 'operations', code: 'minItems', message: 'must hold at least 1 operation' });
  else if (list.length > rules.maxOperations)
    errors.push({
      field: 'operations',
      code: 'maxItems',
      message: `must hold at most ${rules.maxOperations} operations (got ${list.length})`,
    });
  if (errors.length) return { ok: false, errors };
  const operations = (list as unknown[]).map((op, i) => checkOperation(op, i, rules, errors));
  return errors.length ? { ok: false, errors } : { ok: true, operations: operations as Operation[] };
}
