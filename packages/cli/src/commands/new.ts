/**
 * `portico new service <name> [--resource <plural>] [--no-install]`: writes services/<name>/
 * (a first resource with its routes, command, rule, SQL, migration, events, test and README),
 * routes it in portico.yaml on the next free port, adds its compose and Kubernetes stanzas,
 * regenerates docs/events.md, and links the workspace (`npm install`). docs/writing-a-service.md
 * walks through what it writes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../discover.ts';
import { KUBERNETES_RENDER, planService, ScaffoldRefusal, writePlan } from '../scaffold/generate.ts';

const USAGE = 'usage: portico new service <name> [--resource <plural>] [--no-install]';

function optionValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log(USAGE);
    return 0;
  }
  const resource = optionValue(args, '--resource');
  const positional = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--resource');
  if (positional[0] !== 'service' || positional.length !== 2 || (args.includes('--resource') && !resource)) {
    console.error(USAGE);
    return 2;
  }
  const name = positional[1]!;
  let plan;
  try {
    plan = await planService(repoRoot, name, resource);
  } catch (err) {
    if (err instanceof ScaffoldRefusal) {
      console.error(`portico new service: ${err.message}`);
      return 1;
    }
    throw err;
  }
  await writePlan(repoRoot, plan);
  const n = plan.names;
  console.log(`services/${n.service}: port ${plan.port}, routes /api/v1/${n.plural}`);
  for (const f of plan.created) console.log(`  created ${f}`);
  for (const f of plan.edited) console.log(`  edited  ${f}`);

  // The Kubernetes manifests are rendered from the services folder: render them again.
  const render = path.join(repoRoot, KUBERNETES_RENDER);
  if (existsSync(render)) {
    const r = spawnSync(process.execPath, [render], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status === 0) console.log(`  rendered deploy/kubernetes/base/${n.service}.yaml`);
    else console.error(`  could not render the Kubernetes manifests: run node ${KUBERNETES_RENDER}`);
  }

  const events = path.join(repoRoot, 'scripts/events-doc.ts');
  if (existsSync(events)) {
    const r = spawnSync(process.execPath, [events], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0)
      console.error('  could not regenerate docs/events.md: run node scripts/events-doc.ts');
  }
  if (!args.includes('--no-install')) {
    // Links the new workspace into node_modules and records it in package-lock.json.
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) console.error('  npm install failed: run it yourself before npm test');
  }
  console.log(`\nnext: npx vitest run services/${n.service}   (walk-through: docs/writing-a-service.md)`);
  return 0;
}
