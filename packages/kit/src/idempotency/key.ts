/**
 * The one grammar of an `Idempotency-Key` (docs/api-conventions.md): 1–255 characters of
 * `A-Z a-z 0-9 _ . : -`. The gateway and the kit both check it with this function, so a key one
 * of them accepts the other accepts too; a key it refuses is answered 422 `validation_failed`
 * naming the header, by whichever layer sees it first.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,255}$/;
export const IDEMPOTENCY_KEY_RULE = 'must be 1–255 characters of A-Z a-z 0-9 _ . : -';

export function isValidIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key);
}

/** The field error both layers answer an invalid key with (inside a 422 `validation_failed`). */
export const invalidIdempotencyKeyError = {
  field: 'Idempotency-Key',
  code: 'invalid_format',
  message: IDEMPOTENCY_KEY_RULE,
} as const;
