#!/usr/bin/env node
/**
 * `portico` — the command line.
 *   portico dev [--demo]                 everything in one process, embedded storage (npm start)
 *   portico start <service|gateway>      one part, distributed (DATABASE_URL, NATS_URL, REDIS_URL)
 *   portico check [portico.yaml]         validate the gateway configuration
 *   portico explain METHOD URL [-H ..]   how the gateway would handle a request
 *   portico keys rotate                  rotate identity's signing key
 *   portico dead-letters list|replay     inspect and replay parked events
 *   portico demo [--url URL]             fill a running platform with a demo school and shop
 *   portico new service <name>           write a new service and route it (docs/writing-a-service.md)
 */
import { commands } from './commands.ts';

const [name = 'help', ...args] = process.argv.slice(2);
const command = commands[name];
if (!command) {
  console.error(`unknown command: ${name}\n`);
  process.exitCode = await commands.help!.run([]).then(() => 2);
} else {
  try {
    const code = await command.run(args);
    if (code !== undefined) process.exitCode = code;
  } catch (err) {
    const e = err as Error & { problems?: string[]; errors?: unknown };
    console.error(`portico ${name}: ${e.message}`);
    process.exitCode = 1;
    // A fatal error ends the process within seconds, even if a library left a handle open
    // (a reconnecting client, a timer): a supervisor can only restart a process that exited.
    setTimeout(() => process.exit(1), 2000).unref();
  }
}
