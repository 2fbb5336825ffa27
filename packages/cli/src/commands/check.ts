/**
 * `portico check [file] [--json]`: validates the gateway configuration and prints every
 * mistake with its line and YAML path (exit 1), or a one-line summary (exit 0). Each service's
 * instance port must also match the one its package.json declares (port-check.ts). The settings
 * the file sets that a hot reload does not apply are named (`RESTART_ONLY`).
 */
import { readFile } from 'node:fs/promises';
import { parseGatewayConfig, restartOnlySet } from '@portico/gateway';
import { servicePortIssues, servicesRootFor } from '../port-check.ts';
import { configFile } from '../env.ts';

export async function run(args: string[]): Promise<number> {
  const asJson = args.includes('--json');
  const positional = args.filter((a) => !a.startsWith('--'));
  if (args.includes('--help') || positional.length > 1) {
    console.log('usage: portico check [portico.yaml] [--json]');
    return args.includes('--help') ? 0 : 2;
  }
  const file = positional[0] ?? configFile();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    console.error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return 2;
  }
  const parsed = parseGatewayConfig(text);
  const portIssues = await servicePortIssues(text, servicesRootFor(file));
  const result = portIssues.length
    ? { ok: false as const, errors: [...(parsed.ok ? [] : parsed.errors), ...portIssues] }
    : parsed;
  if (asJson) {
    console.log(JSON.stringify(result.ok ? { ok: true } : { ok: false, errors: result.errors }, null, 2));
    return result.ok ? 0 : 1;
  }
  if (!result.ok) {
    const n = result.errors.length;
    console.error(`${file}: ${n} mistake${n === 1 ? '' : 's'}`);
    for (const e of result.errors)
      console.error(`  ${file}${e.line ? `:${e.line}` : ''}  ${e.path || '(document)'}: ${e.message}`);
    return 1;
  }
  const c = result.config;
  const policies = Object.keys(c.policies?.rate_limits ?? {}).length;
  console.log(
    `${file}: ok — ${Object.keys(c.services).length} services, ${c.routes.length} routes, ${policies} rate-limit polic${policies === 1 ? 'y' : 'ies'}`,
  );
  const restartOnly = restartOnlySet(c);
  if (restartOnly.length)
    console.log(
      `  a hot reload does not apply ${restartOnly.join(', ')}: a change to ${restartOnly.length === 1 ? 'it' : 'them'} takes effect at the next restart`,
    );
  return 0;
}
