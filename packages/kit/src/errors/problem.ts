/**
 * Errors as values with a stable `code` (a discriminated union over the registry), translated
 * to RFC 9457 problem details only at the HTTP edge.
 *
 * @example
 *   throw new AppError('not_found', 'Order 42 does not exist');
 *   throw AppError.validation([{ field: 'email', code: 'invalid_format', message: 'must be an email address' }]);
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { problemDefinition, problemType, type ProblemCode } from './registry.ts';

export interface FieldError {
  field: string;
  /** A stable code: errors/field-codes.ts for what schemas refuse, or a domain rule's own. */
  code: string;
  message: string;
  /** For `not_allowed`: the values the field accepts. */
  allowed?: unknown[];
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class AppError<C extends ProblemCode = ProblemCode> extends Error {
  readonly code: C;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers (Allow, Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;
  /** Extension members copied into the problem body. */
  readonly extensions: Record<string, unknown>;

  constructor(
    code: C,
    detail?: string,
    options: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      extensions?: Record<string, unknown>;
    } = {},
  ) {
    const def = problemDefinition(code);
    super(detail ?? def.title);
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  static validation(errors: FieldError[], detail?: string): AppError<'validation_failed'> {
    const n = errors.length;
    return new AppError('validation_failed', detail ?? `${n} field${n === 1 ? ' is' : 's are'} invalid`, {
      errors,
    });
  }

  static notFound(what = 'Resource'): AppError<'not_found'> {
    return new AppError('not_found', `${what} not found`);
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Builds the RFC 9457 body for a code; used by the kit and the gateway alike. */
export function problem(
  code: ProblemCode,
  init: {
    detail?: string;
    instance?: string;
    requestId?: string;
    errors?: FieldError[];
    extensions?: Record<string, unknown>;
  } = {},
): ProblemBody {
  const entry = problemDefinition(code);
  // Extension members first: the standard members (RFC 9457 §3.1) always win over them.
  const body = { ...init.extensions } as ProblemBody;
  body.type = problemType(code);
  body.title = entry.title;
  body.status = entry.status;
  body.code = code;
  if (init.detail !== undefined) body.detail = init.detail;
  else delete body.detail;
  if (init.instance !== undefined) body.instance = init.instance;
  if (init.requestId !== undefined) body.request_id = init.requestId;
  if (init.errors !== undefined) body.errors = init.errors;
  return body;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * A `clientError` handler for node:http servers (the gateway's and, through Fastify's
 * `clientErrorHandler`, every service's): a request Node's parser refused before there was a
 * request object still gets a problem: 431 when the request line and headers pass Node's 16 KB
 * limit, 400 otherwise. A socket that can no longer be written to is destroyed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (socket.writable) socket.end(parseErrorResponse(err.code === 'HPE_HEADER_OVERFLOW'));
  else socket.destroy();
}

function parseErrorResponse(headersTooLarge: boolean): string {
  const code: ProblemCode = headersTooLarge ? 'request_headers_too_large' : 'malformed_request';
  const body = JSON.stringify(
    problem(code, {
      detail: headersTooLarge
        ? 'The request line and headers together exceed 16 KB'
        : 'The request is not valid HTTP/1.1',
      requestId: randomUUID(),
    }),
  );
  const status = problemDefinition(code).status;
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'x-content-type-options: nosniff\r\n' +
    `connection: close\r\n\r\n${body}`
  );
}
