/**
 * The people the demo signs in as. Each gets a generated password the first time (never a
 * default one); the accounts file (mode 0600, under the data directory) keeps them, so a second
 * run signs in as the same people and prints the same passwords.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DemoClient } from './client.ts';

export interface DemoPerson {
  key: string;
  email: string;
  full_name: string;
  roles: string[];
}

export interface DemoAccount extends DemoPerson {
  id: string;
  password: string;
  token: string;
}

export const newPassword = () => `demo-${randomBytes(12).toString('base64url')}`;

async function readAccounts(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The account's id, as the admin finds it by email. */
async function findUser(admin: DemoClient, email: string): Promise<string | undefined> {
  const r = await admin.get(`/api/v1/users?q=${encodeURIComponent(email)}&limit=100`);
  const users = (r.body?.data ?? []) as { id: string; email: string }[];
  return users.find((u) => u.email === email)?.id;
}

/**
 * Each person's account, made (as the admin) the first time. Only the people who act for
 * themselves in the demo (`signIn`: shoppers placing orders) are signed in, since the login
 * route allows few attempts a minute per address.
 */
export async function ensureAccounts(
  admin: DemoClient,
  people: DemoPerson[],
  file: string,
  signIn: (p: DemoPerson) => boolean,
): Promise<Map<string, DemoAccount>> {
  const passwords = await readAccounts(file);
  const out = new Map<string, DemoAccount>();
  for (const p of people) {
    let password = passwords[p.email];
    let id: string | undefined;
    if (password) id = await findUser(admin, p.email);
    else {
      password = newPassword();
      const { key: _key, ...body } = p;
      const r = await admin.post('/api/v1/users', { ...body, password });
      if (r.status === 409)
        throw new Error(
          `${p.email} exists but its password is not in ${file}: remove the account or restore the file`,
        );
      if (r.status !== 201) throw new Error(`creating ${p.email}: ${r.status} ${JSON.stringify(r.body)}`);
      id = r.body.id as string;
      passwords[p.email] = password;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(passwords, null, 2), { mode: 0o600 });
      await chmod(file, 0o600);
    }
    if (!id) throw new Error(`${p.email} is in ${file} but has no account on this platform`);
    let token = '';
    if (signIn(p)) {
      const login = await admin.anonymous().post('/api/v1/auth/login', { email: p.email, password });
      if (login.status !== 200)
        throw new Error(`signing in as ${p.email}: ${login.status} ${JSON.stringify(login.body)}`);
      token = login.body.access_token as string;
    }
    out.set(p.key, { ...p, id, password, token });
  }
  return out;
}
