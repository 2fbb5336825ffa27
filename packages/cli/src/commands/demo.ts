/**
 * `portico demo [--url URL]`: fills a running platform (embedded or distributed) with the demo
 * school and shop through the gateway's public API, as its admin. The admin's password comes
 * from `PORTICO_ADMIN_PASSWORD` or, as `portico dev` left it, `data/identity/admin-password.txt`;
 * the demo people's generated passwords are kept in `data/demo-accounts.json` (mode 0600).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { accountsTable, seedDemo } from '../demo/index.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export interface DemoSettings {
  url: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

/** Seeds and prints the accounts; the admin's password is found as the module comment says. */
export async function runDemo({ url, dataDir, env }: DemoSettings): Promise<void> {
  const adminEmail = env.PORTICO_ADMIN_EMAIL ?? 'admin@portico.local';
  const adminPassword =
    env.PORTICO_ADMIN_PASSWORD ??
    (await readFile(path.join(dataDir, 'identity', 'admin-password.txt'), 'utf8').catch(() => '')).trim();
  if (!adminPassword)
    throw new Error(
      `the admin's password is needed: set PORTICO_ADMIN_PASSWORD (no ${path.join(dataDir, 'identity', 'admin-password.txt')})`,
    );
  const started = performance.now();
  console.log(`  demo: filling ${url} with a school and a shop…`);
  const { accounts } = await seedDemo({
    url,
    adminEmail,
    adminPassword,
    accountsFile: path.join(dataDir, 'demo-accounts.json'),
  });
  console.log(
    `  demo: ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Sign in at ${url}/console as:\n\n${accountsTable(accounts, adminEmail)}\n\n  (passwords kept in ${path.join(dataDir, 'demo-accounts.json')}, mode 0600)\n`,
  );
}

export async function run(args: string[]): Promise<number> {
  const env = process.env;
  await runDemo({
    url: flag(args, '--url') ?? env.PORTICO_URL ?? 'http://127.0.0.1:8000',
    dataDir: path.resolve(env.PORTICO_DATA_DIR ?? 'data'),
    env,
  });
  return 0;
}
