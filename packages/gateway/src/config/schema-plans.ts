/**
 * `plans:` in `portico.yaml` (docs/plans.md): what each consumer plan allows — a rate (GCRA:
 * `limit` requests per `window`, at most `limit` at once, never twice the limit at a window
 * edge), a monthly quota (calendar month, UTC) and a concurrency cap (requests in flight).
 * Identity stores each user's and API key's plan; a consumer without one gets `default`.
 * Spread into the schema (schema.ts).
 */
import { Type, type Static } from 'typebox';
import { withDefault as dflt } from './defaults.ts';
import { duration, named, opt, section } from './schema-parts.ts';

const plan = Type.Object(
  {
    description: opt(Type.String()),
    rate: opt(
      Type.Object(
        {
          limit: Type.Integer({
            minimum: 1,
            description: 'Requests allowed per window (and at most this many at once).',
          }),
          window: duration('The window the limit is spread over: one request every window/limit.'),
        },
        { additionalProperties: false },
      ),
    ),
    monthly_quota: opt(
      Type.Integer({
        minimum: 1,
        description: 'Requests per calendar month (UTC); the 429 says when it resets.',
      }),
    ),
    concurrency: opt(
      Type.Integer({ minimum: 1, description: 'Requests of one consumer in flight at once.' }),
    ),
  },
  { additionalProperties: false },
);

export const planSections = {
  plans: section({
    default: opt(
      Type.String({
        pattern: '^[a-z][a-z0-9_-]*$',
        description: 'The plan of a consumer identity assigned none (or one not listed under tiers:).',
      }),
    ),
    tiers: dflt(named(plan), {}),
  }),
};

export type PlanConfig = Static<typeof plan>;
