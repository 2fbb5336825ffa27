import { describe, expect, it } from 'vitest';
import { can, scopeOf } from './caller.ts';
import { grantCovers, permissionsForRoles, registerRoleGrants } from './permissions.ts';

const caller = (permissions: string[], id = 'u1') => ({ id, roles: [], permissions, auth: 'jwt' as const });

describe('permissions', () => {
  it('match exact, wildcard and ownership grants', () => {
    expect(grantCovers('orders:read', 'orders:read')).toBe('all');
    expect(grantCovers('orders:*', 'orders:cancel')).toBe('all');
    expect(grantCovers('*', 'anything:at-all')).toBe('all');
    expect(grantCovers('orders:*:own', 'orders:read')).toBe('own');
    expect(grantCovers('orders:read', 'orders:write')).toBe(false);
    expect(grantCovers('products:*', 'orders:read')).toBe(false);
  });

  it('let an :own grant pass only for the owner', () => {
    const c = caller(['orders:read:own']);
    expect(can(c, 'orders:read', { ownerId: 'u1' })).toBe(true);
    expect(can(c, 'orders:read', { ownerId: 'u2' })).toBe(false);
    expect(scopeOf(c, 'orders:read')).toBe('own');
    expect(can(caller(['orders:*']), 'orders:read', { ownerId: 'u2' })).toBe(true);
  });

  it('give a role the union of what every domain registered for it, and unknown roles nothing', () => {
    registerRoleGrants({ clerk: ['notes:read'], auditor: ['logs:read'] });
    registerRoleGrants({ clerk: ['files:*:own', 'notes:read'] });
    expect(permissionsForRoles(['clerk']).sort()).toEqual(['files:*:own', 'notes:read']);
    expect(scopeOf(caller(permissionsForRoles(['clerk', 'auditor'])), 'logs:read')).toBe('all');
    expect(permissionsForRoles(['no-such-role'])).toEqual([]);
  });
});
