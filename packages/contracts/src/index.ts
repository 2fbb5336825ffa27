/** @portico/contracts — event payloads (and, per domain, permissions and error codes) shared across services. */
export * from './education.ts';
