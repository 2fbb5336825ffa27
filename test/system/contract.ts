/**
 * The document validator every system test runs its traffic through (docs/api-contract.md): each
 * answer the harness's clients get is checked against the gateway's own `/openapi.json` (status
 * declared for the operation, Portico's headers declared, the JSON body valid with unknown fields
 * refused). Violations are collected for the whole file and `System.stop()` (every file's
 * afterAll) fails with the list. There is no per-test opt-out; only what is not a JSON API
 * operation is outside the document, listed here once:
 *   - the gateway's infrastructure endpoints: `/health*`, `/metrics` (Prometheus text),
 *     `/openapi.json` itself, `/docs` and `/console` (HTML), `/problems/*` (the error pages);
 *   - Server-Sent Events streams (`text/event-stream`) and WebSocket upgrades (101).
 */
import type { TestClient, TestResponse } from '@portico/kit/testing';
import { clientOf, formatViolations, OpenApiValidator, type Violation } from '@portico/kit/testing';

const OUTSIDE_DOCUMENT =
  /^\/(health(\/.*)?|metrics|openapi\.json|docs(\/.*)?|console(\/.*)?|problems(\/.*)?)$/;

export class ContractRecorder {
  readonly violations: Violation[] = [];
  checked = 0;
  #url: string;
  /** One validator per API version: an answer is checked against the document of the version it names. */
  #validators = new Map<string, { validator: Promise<OpenApiValidator>; loadedAt: number }>();

  constructor(url: string) {
    this.#url = url;
  }

  #load(version: string): Promise<OpenApiValidator> {
    const query = version ? `?version=${encodeURIComponent(version)}` : '';
    const validator = (async () => {
      const res = await fetch(`${this.#url}/openapi.json${query}`);
      if (res.status !== 200) throw new Error(`GET /openapi.json${query} answered ${res.status}`);
      return new OpenApiValidator((await res.json()) as Record<string, unknown>);
    })();
    this.#validators.set(version, { validator, loadedAt: Date.now() });
    return validator;
  }

  async record(method: string, path: string, res: TestResponse): Promise<void> {
    const bare = path.split('?')[0]!;
    if (OUTSIDE_DOCUMENT.test(bare) || res.status === 101) return;
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return;
    this.checked++;
    // The answer's `Portico-Version` (docs/versions.md) names the document it must match.
    const version = res.headers.get('portico-version') ?? '';
    const known = this.#validators.get(version);
    let found = (await (known?.validator ?? this.#load(version))).check(method, path, res);
    // A service's document the gateway had not fetched yet: read the document again, once a second.
    if (found.length && Date.now() - (this.#validators.get(version)?.loadedAt ?? 0) > 1000)
      found = (await this.#load(version)).check(method, path, res);
    this.violations.push(...found);
  }

  /** The client, with every answer recorded. */
  wrap(client: TestClient): TestClient {
    const request: TestClient['request'] = async (method, path, body, headers) => {
      const res = await client.request(method, path, body, headers);
      await this.record(method, path, res);
      return res;
    };
    return clientOf(request);
  }

  /** Throws with the list when any answer departed from the document. */
  assertClean(): void {
    if (this.violations.length === 0) return;
    throw new Error(
      `${this.violations.length} answer(s) of ${this.checked} not as /openapi.json declares (fix the document, not the validator; docs/api-contract.md):\n${formatViolations(this.violations)}`,
    );
  }
}
