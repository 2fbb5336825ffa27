/**
 * `portico explain METHOD URL [-H 'Name: value']... [-c portico.yaml] [--json]`: prints the
 * route a request would match, the ordered policy chain and each decision the gateway would
 * take, without sending anything.
 */
import { ConfigError, explain, formatExplanation, loadGatewayConfig } from '@portico/gateway';
import { configFile } from '../env.ts';

const USAGE = "usage: portico explain METHOD URL [-H 'Name: value']... [-c portico.yaml] [--json]";

export async function run(args: string[]): Promise<number> {
  const headers: Record<string, string> = {};
  const positional: string[] = [];
  let file = configFile();
  let asJson = false;
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
  console.log(asJson ? JSON.stringify(e, null, 2) : formatExplanation(e));
  return 0;
}
