/**
 * The bootstrap admin, created on first start (docs/services.md): from PORTICO_ADMIN_EMAIL and
 * PORTICO_ADMIN_PASSWORD, or with a generated password printed once and written to
 * `<dataDir>/admin-password.txt` (mode 0600). Idempotent: nothing happens once any admin
 * exists; replicas starting together create one (advisory lock).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { uuidv7 } from 'uuidv7';
import type { Deps } from '../deps.ts';
import { normaliseEmail } from '../domain/email.ts';
import { passwordProblems } from '../domain/password-policy.ts';
import { generatePassword } from '../domain/secrets.ts';
import { hashPassword } from '../crypto/passwords.ts';
import { publishUserRegistered } from '../events.ts';
import { appendAudit } from '../repository/audit-log.ts';
import { anyAdminExists, findUserByEmail, insertUser, lockBootstrap } from '../repository/users.ts';
import type { UserRow } from '../tables.ts';

export const ADMIN_PASSWORD_FILE = 'admin-password.txt';

export async function bootstrapAdmin(deps: Deps): Promise<UserRow | null> {
  const settings = deps.settings;
  if (await anyAdminExists(deps.db)) return null;
  const email = normaliseEmail(settings.PORTICO_ADMIN_EMAIL);
  const given = settings.PORTICO_ADMIN_PASSWORD;
  const password = given ?? generatePassword();
  if (given && passwordProblems(given, { minLength: settings.IDENTITY_PASSWORD_MIN_LENGTH }).length) {
    deps.log.warn('PORTICO_ADMIN_PASSWORD does not meet the password policy; change it after signing in');
  }
  const password_hash = await hashPassword(password);
  const created = await deps.tx(async (trx) => {
    await lockBootstrap(trx);
    if (await anyAdminExists(trx)) return null;
    // An ordinary account holding the address is never promoted: whoever registered it would
    // become admin. The operator must choose another PORTICO_ADMIN_EMAIL.
    if (await findUserByEmail(trx, email)) return 'taken' as const;
    const row = await insertUser(trx, {
      id: uuidv7(),
      email,
      full_name: 'Administrator',
      password_hash,
      roles: ['admin'],
      is_bootstrap: true,
    });
    await publishUserRegistered(deps, trx, row);
    await appendAudit(trx, {
      actor_id: null,
      action: 'admin.bootstrapped',
      target: row.id,
      outcome: 'success',
      details: { email, generated_password: !given },
    });
    return row;
  });
  if (created === 'taken') {
    deps.log.error(
      { email },
      'no admin exists and PORTICO_ADMIN_EMAIL belongs to an ordinary account; set another PORTICO_ADMIN_EMAIL',
    );
    return null;
  }
  if (!created) return null;
  if (!given) {
    const file = path.join(deps.dataDir, ADMIN_PASSWORD_FILE);
    await mkdir(deps.dataDir, { recursive: true });
    await writeFile(file, password + '\n', { mode: 0o600 });
    await chmod(file, 0o600);
    // Printed once, on purpose: without it nobody could sign in. The file keeps it for later.
    deps.log.warn(
      `Bootstrap admin ${email} created with a generated password: ${password} — also saved in ${file} (mode 0600). Sign in and change it.`,
    );
  } else {
    deps.log.info({ email }, 'bootstrap admin created');
  }
  return created;
}
