/**
 * `portico explain METHOD URL [-H 'Name: value']... [-c portico.yaml] [--json] [--live [URL]]`:
 * prints the route a request would match, the ordered policy chain and each decision the
 * gateway would take, without sending the request. `--live` also asks a running gateway
 * (default `PORTICO_GATEWAY_URL` or http://127.0.0.1:8000) for the health of the route's
 * service and of each of its workers.
 */
import {
  ConfigError,
  explain,
  formatExplanation,
  formatLive,
  liveState,
  loadGatewayConfig,
} from '@portico/gateway';
import { configFile } from '../env.ts';

const USAGE =
  "usage: portico explain METHOD URL [-H 'Name: value']... [-c portico.yaml] [--json] [--live [GATEWAY_URL]]";
const DEFAULT_GATEWAY = process.env.PORTICO_GATEWAY_URL ?? 'http://127.0.0.1:8000';

export async function run(args: string[]): Promise<number> {
  const headers: Record<string, string> = {};
  const positional: string[] = [];
  let file = configFile();
  let asJson = false;
  let live: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-H' || a === '--header') {
      const h = args[++i];
      const colon = h?.indexOf(':') ?? -1;
      if (!h || colon <= 0) {
        console.error(`bad header "${h ?? ''}": use -H 'Name: value'`);
        return 2;
      }
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (a === '-c' || a === '--config') file = args[++i] ?? file;
    else if (a === '--json') asJson = true;
    else if (a === '--live') live = /^https?:\/\//.test(args[i + 1] ?? '') ? args[++i]! : DEFAULT_GATEWAY;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else positional.push(a);
  }
  if (positional.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  const [method, url] = positional as [string, string];
  let config;
  try {
    config = await loadGatewayConfig(file);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `${file}: ${(err as Error).message}`);
    return 1;
  }
  const e = explain(config, method, url, headers);
  const state = live === null ? null : await liveState(live);
  if (asJson) console.log(JSON.stringify(state ? { ...e, live: state } : e, null, 2));
  else {
    console.log(formatExplanation(e));
    if (state) console.log(`\n${formatLive(state, e.route?.service ?? null)}`);
  }
  return 0;
}
