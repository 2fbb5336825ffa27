/**
 * `portico dead-letters list [--service NAME] [--all]` and
 * `portico dead-letters replay ID --service NAME`: inspect and replay parked events through each
 * service's operator routes, with a passport minted from the platform secret (embedded: from
 * ./data/secrets.json; distributed: PORTICO_PASSPORT_SECRET).
 */
import path from 'node:path';
import { derivePassportKey, mintPassport, PASSPORT_HEADER, type DeadLetter } from '@portico/kit/runtime';
import { discoverServices, repoRoot } from '../discover.ts';
import { upstreamVariable } from '@portico/gateway';
import { configuredServiceUrls } from '../platform.ts';
import { loadOrCreateSecrets } from '../secrets.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function run(args: string[]): Promise<number> {
  const [verb, id] = args;
  const env = process.env;
  const secret =
    env.PORTICO_PASSPORT_SECRET ??
    (await loadOrCreateSecrets(path.resolve(env.PORTICO_DATA_DIR ?? 'data'))).passportSecret;
  const urls = await configuredServiceUrls(
    path.resolve(env.PORTICO_CONFIG ?? path.join(repoRoot, 'portico.yaml')),
    env,
  );
  const only = flag(args, '--service');
  const names = only ? [only] : (await discoverServices()).map((s) => s.name);
  const call = async (service: string, method: string, p: string) => {
    const base = urls(service)?.[0];
    if (!base)
      throw new Error(`no address known for ${service} (portico.yaml or ${upstreamVariable(service)})`);
    const token = mintPassport(derivePassportKey(secret, service), service, {
      id: null,
      roles: [],
      permissions: [],
      auth: 'service',
      service: 'cli',
    }).token;
    const res = await fetch(base + p, { method, headers: { [PASSPORT_HEADER]: token } });
    const body = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`${service} answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  };
  if (verb === 'list') {
    let total = 0;
    for (const name of names) {
      let rows: DeadLetter[];
      try {
        rows = (
          (await call(
            name,
            'GET',
            `/internal/dead-letters${args.includes('--all') ? '?status=all' : ''}`,
          )) as { data: DeadLetter[] }
        ).data;
      } catch (err) {
        console.error(`${name}: ${(err as Error).message}`);
        continue;
      }
      for (const d of rows) {
        total++;
        console.log(
          `${name}\t${d.id}\t${d.status}\t${d.consumer}\t${d.event_type}\tattempts=${d.attempts}\t${d.error}`,
        );
      }
    }
    if (total === 0) console.log('no dead letters');
    return 0;
  }
  if (verb === 'replay' && id && only) {
    const out = await call(only, 'POST', `/internal/dead-letters/${encodeURIComponent(id)}/replay`);
    console.log(JSON.stringify(out));
    return 0;
  }
  console.error('usage: portico dead-letters list [--service NAME] [--all] | replay ID --service NAME');
  return 2;
}
