import { describe, expect, it } from 'vitest';
import { permissionsForRoles, scopeOf } from '@portico/kit';
import { ROLES } from '../src/index.ts';

const caller = (roles: string[]) => ({
  id: 'u1',
  roles,
  permissions: permissionsForRoles(roles),
  auth: 'jwt' as const,
});

describe('the roles’ grants the domains register', () => {
  it('grant an admin everything and a plain user no admin permission', () => {
    expect(scopeOf(caller(['admin']), 'users:write')).toBe('all');
    expect(scopeOf(caller(['user']), 'users:write')).toBe(false);
    expect(scopeOf(caller(['user']), 'audit-logs:read')).toBe(false);
  });

  it('give each role its domains’ permissions, own-scoped where the domain says so', () => {
    expect(scopeOf(caller(['user']), 'orders:create')).toBe('own');
    expect(scopeOf(caller(['staff']), 'orders:cancel')).toBe('all');
    expect(scopeOf(caller(['student']), 'invoices:read')).toBe('own');
    expect(scopeOf(caller(['instructor']), 'grades:write')).toBe('all');
    expect(scopeOf(caller(['user']), 'grades:write')).toBe(false);
  });

  it('grants something to every role identity can hand out', () => {
    for (const role of ROLES) expect(permissionsForRoles([role]).length, role).toBeGreaterThan(0);
  });
});
