/** The operator routes (`/api/v1/ops`) in the merged OpenAPI document. */
import { OPS } from './routes.ts';

type Json = Record<string, unknown>;

const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const nullableString = { type: ['string', 'null'] };

const deadLetter: Json = {
  type: 'object',
  required: [
    'service',
    'id',
    'consumer',
    'event_id',
    'event_type',
    'event_source',
    'event_subject',
    'event_time',
    'data',
    'error',
    'attempts',
    'status',
    'created_at',
    'replayed_at',
  ],
  properties: {
    service: { type: 'string', description: 'The service whose consumer parked it' },
    id: { type: 'string' },
    consumer: { type: 'string', description: '`<service>.<consumer>`' },
    event_id: { type: 'string' },
    event_type: { type: 'string' },
    event_source: nullableString,
    event_subject: nullableString,
    event_time: { type: ['string', 'null'], format: 'date-time' },
    data: { description: "The event's data, secret-named fields redacted" },
    error: { type: 'string', description: 'The last error of the consumer' },
    attempts: { type: 'integer' },
    status: { type: 'string', enum: ['parked', 'replayed'] },
    created_at: { type: 'string', format: 'date-time' },
    replayed_at: { type: ['string', 'null'], format: 'date-time' },
  },
};

function listOperation(): Json {
  return {
    operationId: 'list_dead_letters',
    summary: "Every service's dead letters (admins)",
    description:
      "Events a service's consumer failed to handle after its retries, parked in that service's `kit_dead_letters`, newest first. Services that did not answer are named in `unreachable`.",
    tags: ['operations'],
    parameters: [
      {
        name: 'status',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: ['parked', 'replayed', 'all'], default: 'parked' },
      },
      { name: 'service', in: 'query', required: false, schema: { type: 'string' } },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
    ],
    responses: {
      '200': {
        description: 'One page of dead letters',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['data', 'has_more', 'next_cursor', 'unreachable'],
              properties: {
                data: { type: 'array', items: deadLetter },
                has_more: { type: 'boolean' },
                next_cursor: nullableString,
                unreachable: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
      '422': problem('A query parameter is invalid; `errors` names it'),
    },
  };
}

function replayOperation(): Json {
  return {
    operationId: 'replay_dead_letter',
    summary: 'Replay a dead letter through its consumer (admins)',
    description:
      'The service runs the parked event through the consumer that parked it. On success the letter is marked `replayed`; when the consumer fails again it stays parked with the new error (409 `conflict`).',
    tags: ['operations'],
    parameters: [
      { name: 'service', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ],
    responses: {
      '200': {
        description: 'Replayed',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['service', 'id', 'status'],
              properties: {
                service: { type: 'string' },
                id: { type: 'string' },
                status: { type: 'string', enum: ['replayed'] },
              },
            },
          },
        },
      },
      '404': problem('No dead letter with this id at this service'),
      '409': problem('Replayed already (`invalid_state`), or the consumer failed again (`conflict`)'),
    },
  };
}

function eventsOperation(): Json {
  return {
    operationId: 'follow_events',
    summary: 'Every domain event, live (admins, server-sent events)',
    description:
      'A `text/event-stream`: each event is `event: <type>`, `id: <event id>`, `data: {id, type, source, subject, time, data}` with secret-named fields of `data` redacted. Only events published after the stream opens arrive. Comment lines are heartbeats; `event: end` precedes the close when the credential is revoked or expires.',
    tags: ['operations'],
    responses: {
      '200': {
        description: 'The stream',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
    },
  };
}

export function opsOperation(name: string | undefined): Json {
  return name === OPS.deadLetters
    ? listOperation()
    : name === OPS.replay
      ? replayOperation()
      : eventsOperation();
}
