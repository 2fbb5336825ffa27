/**
 * Writes docs/events.md from the service definitions themselves (`publishes` and
 * `consumers`), so the catalogue of who publishes and who consumes each event cannot drift.
 * `node scripts/events-doc.ts` regenerates it; a test fails when the two differ.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { discoverServices } from '../packages/cli/src/discover.ts';
import { IDENTITY_EVENTS } from '@portico/contracts';

export async function renderEventsDoc(): Promise<string> {
  const publishers = new Map<string, string[]>();
  const consumers = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, type: string, who: string) => {
    const list = m.get(type) ?? [];
    if (!list.includes(who)) list.push(who);
    m.set(type, list);
  };
  for (const svc of await discoverServices()) {
    const def = await svc.load();
    for (const type of def.publishes ?? []) add(publishers, type, def.name);
    for (const c of def.consumers ?? [])
      for (const type of c.types) add(consumers, type, `${def.name} (${c.name})`);
  }
  add(publishers, 'access.denied', 'gateway, every service (kit)');
  // The gateway is no service definition: its broadcast subscription (every replica gets every
  // revocation) is in packages/gateway/src/auth/revocations.ts.
  for (const t of [
    IDENTITY_EVENTS.sessionRevoked,
    IDENTITY_EVENTS.apiKeyRevoked,
    IDENTITY_EVENTS.accessTokenRevoked,
    IDENTITY_EVENTS.userDisabled,
    IDENTITY_EVENTS.userRolesChanged,
    IDENTITY_EVENTS.planChanged,
  ]) {
    add(consumers, t, 'gateway (revocations, every replica)');
  }
  const types = [...new Set([...publishers.keys(), ...consumers.keys()])].sort();
  const rows = types.map(
    (t) =>
      `| \`${t}\` | ${(publishers.get(t) ?? ['— (not published yet)']).join(', ')} | ${(consumers.get(t) ?? ['—']).join(', ')} |`,
  );
  return `# Events

Every event is a CloudEvents 1.0 JSON envelope (\`specversion\`, \`id\`, \`source\`, \`type\`,
\`subject\`, \`time\`, \`datacontenttype\`, \`data\`, and the W3C \`traceparent\` extension), written
to the publisher's outbox in the same transaction as its data and delivered at least once;
consumers dedupe on \`id\`. Each domain's event map (type → data) is in
\`packages/contracts/src/\` (\`identity.ts\`, \`commerce.ts\`, \`education.ts\`); the kit's own
\`access.denied\` is in \`packages/kit/src/events/types.ts\`. A service publishes only the types
of the map it declares; each service's README documents the fields it adds.

Generated from the service definitions by \`node scripts/events-doc.ts\`; do not edit by hand.
Consumers are named \`service (consumer)\`; the durable consumer on NATS is \`service.consumer\`.

| type | published by | consumed by |
|---|---|---|
${rows.join('\n')}

Events with no publisher yet come from the education suite (students, curriculum, staff,
finance), which is not built: their consumers are ready for them.
`;
}

if (import.meta.main) {
  writeFileSync(path.resolve(import.meta.dirname, '../docs/events.md'), await renderEventsDoc());
  console.log('docs/events.md written');
}
