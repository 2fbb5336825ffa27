/**
 * `portico demo` and `npm start -- --demo`: fill a platform with a believable school and shop
 * through its public API (docs/console.md, "Demo data"), then print who to sign in as.
 * Idempotent: a second run finds what the first made and changes nothing.
 */
import { ensureAccounts, type DemoAccount } from './accounts.ts';
import { DemoClient } from './client.ts';
import { SCHOOL_PEOPLE, seedSchool } from './school.ts';
import { seedShop, seedTasks, SHOP_PEOPLE } from './shop.ts';

export interface DemoOptions {
  /** The gateway, e.g. http://127.0.0.1:8000. */
  url: string;
  adminEmail: string;
  adminPassword: string;
  /** Where the demo people's generated passwords are kept (mode 0600). */
  accountsFile: string;
}

export interface DemoResult {
  accounts: DemoAccount[];
}

export async function seedDemo(o: DemoOptions): Promise<DemoResult> {
  const anonymous = new DemoClient(o.url);
  const login = await anonymous.post('/api/v1/auth/login', {
    email: o.adminEmail,
    password: o.adminPassword,
  });
  if (login.status !== 200)
    throw new Error(`demo: the admin could not sign in (${login.status} ${login.body?.code ?? ''})`);
  const admin = anonymous.as(login.body.access_token as string);
  const people = await ensureAccounts(admin, [...SCHOOL_PEOPLE, ...SHOP_PEOPLE], o.accountsFile, (p) =>
    p.roles.includes('user'),
  );
  await seedSchool(admin, people);
  await seedShop(admin, people);
  await seedTasks(admin, people);
  return { accounts: [...people.values()] };
}

/** The accounts as a table to print. */
export function accountsTable(accounts: DemoAccount[], adminEmail: string): string {
  const rows = [
    ['role', 'email', 'password'],
    ['admin', adminEmail, '(yours: PORTICO_ADMIN_PASSWORD or data/identity/admin-password.txt)'],
    ...accounts.map((a) => [a.roles.join(','), a.email, a.password]),
  ];
  const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]}`).join('\n');
}
