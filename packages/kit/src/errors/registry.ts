/**
 * The registry of every problem `code` Portico answers with (RFC 9457 §3.1 `type`, `title`,
 * `status`). Clients switch on `code`; a retired code is never reused. `docs/errors.md` is
 * generated from this table (`npm run portico -- docs errors`).
 */
export const PROBLEM_BASE = 'https://portico.dev/problems/';

export const problemRegistry = {
  malformed_request: { status: 400, title: 'Malformed request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  invalid_token: { status: 401, title: 'Invalid credentials' },
  invalid_passport: { status: 401, title: 'Invalid gateway passport' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  forbidden: { status: 403, title: 'Forbidden' },
  account_disabled: { status: 403, title: 'Account disabled' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  already_exists: { status: 409, title: 'Already exists' },
  invalid_state: { status: 409, title: 'Invalid state transition' },
  out_of_stock: { status: 409, title: 'Out of stock' },
  course_full: { status: 409, title: 'Course is full' },
  // staff
  absence_overlap: { status: 409, title: 'Overlaps another absence' },
  idempotency_in_progress: { status: 409, title: 'A request with this idempotency key is in progress' },
  gone: { status: 410, title: 'Gone' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  request_headers_too_large: { status: 431, title: 'Request header fields too large' },
  validation_failed: { status: 422, title: 'Validation failed' },
  idempotency_key_reused: { status: 422, title: 'Idempotency key reused with a different request' },
  channel_disabled: { status: 422, title: 'Channel disabled by the recipient' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  bad_gateway: { status: 502, title: 'Bad gateway' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  gateway_timeout: { status: 504, title: 'Gateway timeout' },
  // finance
  credit_exceeds_balance: { status: 422, title: 'Credit exceeds the balance due' },
  currency_mismatch: { status: 422, title: "Currency differs from the account's" },
  idempotency_key_required: { status: 400, title: 'Idempotency-Key header required' },
  invoice_not_payable: { status: 409, title: 'Invoice cannot take payments' },
  overpayment: { status: 422, title: 'Payment exceeds the balance due' },
  refund_exceeds_payment: { status: 422, title: 'Refund exceeds what was paid' },
  // curriculum
  already_enrolled: { status: 409, title: 'Already enrolled' },
  course_not_published: { status: 409, title: 'Course is not published' },
  student_inactive: { status: 422, title: 'Student is not active' },
  unknown_instructor: { status: 422, title: 'Unknown instructor' },
  unknown_student: { status: 422, title: 'Unknown student' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof problemRegistry;

export function problemType(code: ProblemCode): string {
  return PROBLEM_BASE + code.replaceAll('_', '-');
}
