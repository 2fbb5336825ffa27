/**
 * The document validator the system tests run every answer through (testing/openapi-validator.ts)
 * and the examples composed from schemas (openapi/examples.ts): what each flags, on a small document.
 */
import { describe, expect, it } from 'vitest';
import { OpenApiValidator } from '../src/testing/openapi-validator.ts';
import { addExamples } from '../src/openapi/examples.ts';
import { problemJsonSchema } from '../src/errors/problem-schema.ts';

const json = (headers: Record<string, string> = {}) =>
  new Headers({ 'content-type': 'application/json', ...headers });
const problemHeaders = new Headers({ 'content-type': 'application/problem+json' });

function doc(): Record<string, any> {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/v1/notes/{id}': {
        get: {
          responses: {
            '200': {
              description: 'A note',
              headers: { 'X-Request-Id': { schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Note' } } },
            },
            '404': {
              description: 'No such note',
              content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        Problem: problemJsonSchema,
        Note: {
          type: 'object',
          required: ['id', 'title'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            title: { type: 'string', minLength: 1, examples: ['Buy milk'] },
            tags: { type: 'array', items: { enum: ['home', 'work'] } },
          },
        },
      },
    },
  };
}

const note = { id: '0190c5a4-7b1e-7c3a-9f00-6a1b2c3d4e5f', title: 'x' };

describe('the document validator', () => {
  const v = new OpenApiValidator(doc());

  it('accepts an answer as declared', () => {
    expect(
      v.check('GET', '/api/v1/notes/1?x=1', {
        status: 200,
        headers: json({ 'x-request-id': 'r' }),
        body: note,
      }),
    ).toEqual([]);
  });

  it('flags an undeclared status, header, field and a wrong type', () => {
    const at = { method: 'GET', path: '/api/v1/notes/{id}' };
    expect(v.check('GET', '/api/v1/notes/1', { status: 409, headers: json(), body: {} })).toEqual([
      { ...at, status: 409, message: 'status 409 not declared' },
    ]);
    expect(
      v.check('GET', '/api/v1/notes/1', { status: 200, headers: json({ etag: '"v1"' }), body: note }),
    ).toEqual([{ ...at, status: 200, message: 'header etag not declared' }]);
    expect(
      v.check('GET', '/api/v1/notes/1', { status: 200, headers: json(), body: { ...note, secret: 1 } }),
    ).toEqual([{ ...at, status: 200, message: 'body: undeclared field secret' }]);
    expect(
      v.check('GET', '/api/v1/notes/1', { status: 200, headers: json(), body: { ...note, tags: ['play'] } }),
    ).toEqual([{ ...at, status: 200, message: 'body/tags/0: must be equal to one of the allowed values' }]);
  });

  it('flags an operation the document lacks, but not a 404 problem for a path nobody serves', () => {
    expect(v.check('POST', '/api/v1/notes/1', { status: 200, headers: json(), body: {} })).toEqual([
      { method: 'POST', path: '/api/v1/notes/1', status: 200, message: 'operation not in the document' },
    ]);
    const problem = { type: '/problems/not_found', title: 'Not found', status: 404, code: 'not_found' };
    expect(v.check('GET', '/internal/x', { status: 404, headers: problemHeaders, body: problem })).toEqual(
      [],
    );
  });
});

describe('examples composed from schemas', () => {
  it('uses field examples and formats, and a registry problem per status', () => {
    const d = doc();
    addExamples(d);
    const ok = d.paths['/api/v1/notes/{id}'].get.responses;
    expect(ok['200'].content['application/json'].example).toEqual({
      id: '0190c5a4-7b1e-7c3a-9f00-6a1b2c3d4e5f',
      title: 'Buy milk',
      tags: ['home'],
    });
    expect(ok['404'].content['application/problem+json'].example).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    const v = new OpenApiValidator(d);
    for (const status of ['200', '404']) {
      const media = Object.values(ok[status].content)[0] as { example: unknown };
      const validate = v.compile(
        `#/paths/~1api~1v1~1notes~1{id}/get/responses/${status}/content/${status === '200' ? 'application~1json' : 'application~1problem+json'}/schema`,
      );
      expect(validate(media.example), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});
