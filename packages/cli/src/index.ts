/** @portico/cli as a library: what the system tests and benchmarks start. */
export { startEmbedded, startPart, configuredServiceUrls } from './platform.ts';
export type { Platform, EmbeddedOptions } from './platform.ts';
export { discoverServices, repoRoot } from './discover.ts';
export { seedDemo, type DemoOptions, type DemoResult } from './demo/index.ts';
