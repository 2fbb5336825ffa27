/**
 * The API contract, checked in CI (docs/api-contract.md):
 *   - the breaking-change gate: the gateway's `/openapi.json` against the committed
 *     `openapi/snapshot.json` (at the API version the snapshot records, when the gateway has
 *     dated versions: a breaking change shipped behind a version transformation leaves the old
 *     version's document unchanged and passes); an additive change passes, and
 *     `npm run openapi:snapshot` records it;
 *   - the gate on a doctored document (a response field removed) fails, naming what broke;
 *   - every operation carries request and response examples, each valid against its own schema.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenApiValidator } from '@portico/kit/testing';
import { breakingChanges, formatChanges } from '../../scripts/openapi/breaking.ts';
import {
  openGatewayDocuments,
  SNAPSHOT_FILE,
  type GatewayDocuments,
} from '../../scripts/openapi/document.ts';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe('the API contract', () => {
  let docs: GatewayDocuments;
  let current: Json;
  let snapshot: Json;
  beforeAll(async () => {
    docs = await openGatewayDocuments();
    current = (await docs.get()).doc;
    snapshot = JSON.parse(await readFile(SNAPSHOT_FILE, 'utf8')) as Json;
  }, 120_000);
  afterAll(() => docs?.stop());

  it('has no breaking change against openapi/snapshot.json', async () => {
    const version = snapshot.info?.['x-portico-version'] as string | undefined;
    const head = version ? (await docs.get(version)).doc : current;
    const changes = breakingChanges(snapshot, head);
    expect(
      changes,
      `Breaking changes against openapi/snapshot.json${version ? ` (version ${version})` : ''}: ship them behind a new API version (a version transformation), or revert. An additive change is recorded with \`npm run openapi:snapshot\`.\n${formatChanges(changes)}\n`,
    ).toEqual([]);
  });

  it('fails on a response field removed, naming the path, method and field', () => {
    const doctored = structuredClone(current);
    const op = doctored.paths['/api/v1/tasks/{id}'].get;
    const schema = op.responses['200'].content['application/json'].schema;
    delete schema.properties.title;
    schema.required = schema.required.filter((r: string) => r !== 'title');
    const changes = breakingChanges(current, doctored);
    expect(formatChanges(changes)).toBe(
      'GET /api/v1/tasks/{id}: response 200 body.title: response field removed',
    );
    // An added optional field, a new operation and a new optional parameter are not breaking.
    const added = structuredClone(current);
    added.paths['/api/v1/tasks/{id}'].get.responses['200'].content[
      'application/json'
    ].schema.properties.note = { type: 'string' };
    added.paths['/api/v1/new-thing'] = { get: { responses: { '200': { description: 'ok' } } } };
    added.paths['/api/v1/tasks'].get.parameters.push({ name: 'q2', in: 'query', schema: { type: 'string' } });
    expect(breakingChanges(current, added)).toEqual([]);
    // A new required request field and a narrowed enum are.
    const narrowed = structuredClone(current);
    const body = narrowed.paths['/api/v1/tasks'].post.requestBody.content['application/json'].schema;
    body.required = [...(body.required ?? []), 'priority'];
    body.properties.priority = { enum: ['low', 'high'] };
    expect(formatChanges(breakingChanges(current, narrowed))).toBe(
      [
        'POST /api/v1/tasks: request body.priority: new required request field',
        'POST /api/v1/tasks: request body.priority: enum values removed: "medium", "urgent"',
      ].join('\n'),
    );
  });

  it('gives every operation request and response examples valid against their schemas', () => {
    const validator = new OpenApiValidator(current);
    const missing: string[] = [];
    const invalid: string[] = [];
    let operations = 0;
    let checked = 0;
    const check = (what: string, pointer: string, media: Json | undefined) => {
      if (!media?.schema) return;
      // `example`, or named `examples` (each `{value}`): both are OpenAPI's, both are checked.
      const named = Object.entries((media.examples ?? {}) as Record<string, Json>);
      const values: [string, unknown][] =
        media.example !== undefined ? [['', media.example]] : named.map(([n, e]) => [` (${n})`, e.value]);
      if (values.length === 0) {
        missing.push(what);
        return;
      }
      const validate = validator.compile(`${pointer}/schema`);
      for (const [name, value] of values) {
        checked++;
        if (!validate(value))
          invalid.push(
            `${what}${name}: ${validate.errors?.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`,
          );
      }
    };
    const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
    for (const [path, item] of Object.entries(current.paths as Record<string, Json>))
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        operations++;
        const at = `#/paths/${esc(path)}/${method}`;
        const what = `${method.toUpperCase()} ${path}`;
        for (const [type, media] of Object.entries((op.requestBody?.content ?? {}) as Record<string, Json>))
          check(`${what} request ${type}`, `${at}/requestBody/content/${esc(type)}`, media);
        const statuses = Object.keys(op.responses ?? {});
        const success = statuses.filter((s) => /^2/.test(s));
        const problems = statuses.filter((s) => /^[45]/.test(s));
        expect(success.length, `${what} declares a 2xx`).toBeGreaterThan(0);
        expect(problems.length, `${what} declares a problem`).toBeGreaterThan(0);
        for (const status of statuses)
          for (const [type, media] of Object.entries(
            (op.responses[status].content ?? {}) as Record<string, Json>,
          ))
            check(`${what} ${status} ${type}`, `${at}/responses/${esc(status)}/content/${esc(type)}`, media);
      }
    console.log(`${operations} operations, ${checked} examples validated`);
    expect(missing, 'operations without an example').toEqual([]);
    expect(invalid, 'examples that fail their own schema').toEqual([]);
  });
});
