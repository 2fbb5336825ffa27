/**
 * The stable codes of `errors[].code` in a 422 for input the schema refuses, whatever library
 * validates it: clients switch on these, so a validator's keyword (`minLength`, `anyOf`) never
 * reaches them. A domain's own rule (`below_reserved`, `overlap`) has a code of its own, named
 * in its service's README. `docs/errors.md` lists these.
 */
export const fieldCodes = {
  required: 'A required field is missing',
  unknown_field: 'The body has a field the route does not accept (typos and mass assignment fail loudly)',
  invalid_type: 'The value has the wrong JSON type (`message` names the expected one)',
  not_allowed: 'The value is not one of the allowed values, listed in `allowed`',
  too_short: 'A string is shorter than the minimum length',
  too_long: 'A string is longer than the maximum length',
  out_of_range: 'A number is below the minimum or above the maximum',
  not_multiple: 'A number is not a multiple of the required step',
  invalid_format: 'A string does not have the required format (email, date-time, uri, pattern)',
  too_few_items: 'A list has fewer items than the minimum',
  too_many_items: 'A list has more items than the maximum',
  duplicate_items: 'A list holds the same item twice',
  too_few_fields: 'An object has fewer fields than the minimum (e.g. an empty PATCH)',
  too_many_fields: 'An object has more fields than the maximum',
  invalid_character: 'A string holds the NUL character (U+0000), which cannot be stored',
  unique: 'The value is already used by another record',
  conflicts: 'The field cannot be combined with another one sent',
  invalid: 'The value is invalid for another reason (`message` says why)',
} as const;

export type FieldCode = keyof typeof fieldCodes;
